package event_test

import (
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
)

func TestDecodeAcceptsValidEvents(t *testing.T) {
	cases := []struct {
		name   string
		raw    string
		amount bullpen.Fixed
		units  int64
	}{
		{"won with number", `{"event_id":"e1","type":"deal.won","occurred_at":"2026-11-27T10:00:00-05:00","rep_id":"rep-1","deal_id":"D1","amount":5000.5}`, 500050, 1},
		{"won with string amount", `{"event_id":"e1","type":"deal.won","occurred_at":"2026-11-27T10:00:00Z","rep_id":"a.b_c:d@e-f","deal_id":"D1","amount":"12.30","units":3}`, 1230, 3},
		{"won with matching currency", `{"event_id":"e1","type":"deal.won","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","deal_id":"D1","amount":0,"currency":"usd"}`, 0, 1},
		{"reversal without amount", `{"event_id":"e1","type":"deal.reversed","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","deal_id":"D1"}`, 0, 1},
		{"activity", `{"event_id":"e1","type":"activity","occurred_at":"2026-11-27T10:00:00.123+01:00","rep_id":"r","activity":"call"}`, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := event.Decode([]byte(tc.raw), "USD")
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if ev.Amount != tc.amount || ev.Units != tc.units {
				t.Fatalf("amount %v units %d, want %v %d", ev.Amount, ev.Units, tc.amount, tc.units)
			}
		})
	}
}

func TestDecodeRejectsWithStableCode(t *testing.T) {
	const ok = `"event_id":"e1","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r"`
	cases := []struct {
		name, raw, code, field string
	}{
		{"not json", `{nope`, event.CodeInvalidJSON, ""},
		{"an array", `[1]`, event.CodeInvalidJSON, ""},
		{"empty", ``, event.CodeInvalidJSON, ""},
		{"no event id", `{"type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","activity":"call"}`, event.CodeMissingField, "event_id"},
		{"unknown type", `{` + ok + `,"type":"deal.lost","deal_id":"D"}`, event.CodeUnknownType, "type"},
		{"no offset", `{"event_id":"e1","type":"activity","occurred_at":"2026-11-27T10:00:00","rep_id":"r","activity":"call"}`, event.CodeInvalidField, "occurred_at"},
		{"bad rep id", `{"event_id":"e1","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"a b","activity":"call"}`, event.CodeInvalidField, "rep_id"},
		{"missing deal id", `{` + ok + `,"type":"deal.won","amount":1}`, event.CodeMissingField, "deal_id"},
		{"missing amount", `{` + ok + `,"type":"deal.won","deal_id":"D"}`, event.CodeMissingField, "amount"},
		{"three decimals", `{` + ok + `,"type":"deal.won","deal_id":"D","amount":1.005}`, event.CodeInvalidAmount, "amount"},
		{"negative", `{` + ok + `,"type":"deal.won","deal_id":"D","amount":-1}`, event.CodeInvalidAmount, "amount"},
		{"too large", `{` + ok + `,"type":"deal.won","deal_id":"D","amount":1000000000000}`, event.CodeInvalidAmount, "amount"},
		{"exponent", `{` + ok + `,"type":"deal.won","deal_id":"D","amount":1e3}`, event.CodeInvalidAmount, "amount"},
		{"other currency", `{` + ok + `,"type":"deal.won","deal_id":"D","amount":1,"currency":"EUR"}`, event.CodeUnsupportedCurrency, "currency"},
		{"fractional units", `{` + ok + `,"type":"deal.won","deal_id":"D","amount":1,"units":1.5}`, event.CodeInvalidField, "units"},
		{"activity without name", `{` + ok + `,"type":"activity"}`, event.CodeMissingField, "activity"},
		{"rep id not a string", `{"event_id":"e1","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":7,"activity":"call"}`, event.CodeInvalidField, "rep_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := event.Decode([]byte(tc.raw), "USD")
			if err == nil {
				t.Fatal("Decode accepted an invalid event")
			}
			if err.Code != tc.code || err.Field != tc.field {
				t.Fatalf("got code %q field %q (%s), want %q %q", err.Code, err.Field, err.Detail, tc.code, tc.field)
			}
		})
	}
}

func TestDecodeReadsEscapedAndUnicodeStrings(t *testing.T) {
	raw := `{"event_id":"e\u0031","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","activity":"call","rep_name":"Zoë \"Z\" Ng"}`
	ev, err := event.Decode([]byte(raw), "USD")
	if err != nil {
		t.Fatal(err)
	}
	if ev.EventID != "e1" || ev.RepName != `Zoë "Z" Ng` {
		t.Fatalf("event id %q, name %q", ev.EventID, ev.RepName)
	}
}
