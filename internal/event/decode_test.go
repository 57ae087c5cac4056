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
		// Malformed JSON a lenient parser would read half-right (found by FuzzDecode).
		{"invalid escape", `{` + ok + `,"type":"activity","activity":"\0"}`, event.CodeInvalidJSON, ""},
		{"raw newline in a string", `{` + ok + `,"type":"activity","activity":"ca` + "\n" + `ll"}`, event.CodeInvalidJSON, ""},
		{"leading zero", `{` + ok + `,"type":"deal.won","deal_id":"D","amount":01}`, event.CodeInvalidJSON, ""},
		{"nan", `{` + ok + `,"type":"deal.won","deal_id":"D","amount":nan}`, event.CodeInvalidJSON, ""},
		{"empty", ``, event.CodeInvalidJSON, ""},
		// Whitespace JSON does not have around the value (found by FuzzDecode).
		{"a vertical tab after", `{` + ok + `,"type":"activity","activity":"call"}` + "\v", event.CodeInvalidJSON, ""},
		{"a form feed before", "\f{" + ok + `,"type":"activity","activity":"call"}`, event.CodeInvalidJSON, ""},
		{"a no-break space after", `{` + ok + `,"type":"activity","activity":"call"}` + "\u00a0", event.CodeInvalidJSON, ""},
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

// Text PostgreSQL cannot store is refused at the field, so it never fails a batch later.
func TestDecodeRefusesTextTheLedgerCannotStore(t *testing.T) {
	cases := []struct{ name, raw, field string }{
		{"NUL in the event id", `{"event_id":"e\u0000","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","activity":"call"}`, "event_id"},
		{"bytes that are not UTF-8", "{\"event_id\":\"e1\",\"type\":\"activity\",\"occurred_at\":\"2026-11-27T10:00:00Z\",\"rep_id\":\"r\",\"activity\":\"call\",\"rep_name\":\"\xff\xfe\"}", "rep_name"},
		{"a number where text belongs", `{"event_id":"e1","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","activity":"call","product":12}`, "product"},
		{"a tab in the team", `{"event_id":"e1","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","activity":"call","team_id":"ea\tst"}`, "team_id"},
		{"a newline in the team", `{"event_id":"e1","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","activity":"call","team_id":"east\n"}`, "team_id"},
		{"units as a string", `{"event_id":"e1","type":"deal.won","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","deal_id":"D","amount":1,"units":"3"}`, "units"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := event.Decode([]byte(tc.raw), "USD")
			if err == nil || err.Code != event.CodeInvalidField || err.Field != tc.field {
				t.Fatalf("got %+v, want invalid_field at %s", err, tc.field)
			}
		})
	}
}

// A repeated member counts once, the last one; members events do not have are ignored.
func TestDecodeTakesTheLastOfARepeatedMemberAndIgnoresOthers(t *testing.T) {
	raw := `{"event_id":"e1","type":"deal.won","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","deal_id":"D",` +
		`"amount":1,"amount":"2.50","extra":{"nested":[1,2,{"a":null}]},"units":null}`
	ev, err := event.Decode([]byte(raw), "USD")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Amount != 250 || ev.Units != 1 || ev.HasUnits {
		t.Fatalf("amount %v units %d (set %v), want 2.50 and the default 1", ev.Amount, ev.Units, ev.HasUnits)
	}
}

func BenchmarkDecode(b *testing.B) {
	raws := [][]byte{
		[]byte(`{"event_id":"9b2f0c1e-3a4d-4f5e-8a6b-7c8d9e0f1a2b","type":"deal.won","occurred_at":"2026-11-27T10:00:00.123Z","rep_id":"rep-0042","rep_name":"Dana Whitfield","team_id":"team-07","deal_id":"D-88231","amount":"5230.50","currency":"USD","units":2,"product":"Pro plan"}`),
		[]byte(`{"event_id":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","type":"activity","occurred_at":"2026-11-27T10:00:01Z","rep_id":"rep-0042","rep_name":"Dana Whitfield","team_id":"team-07","activity":"call"}`),
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := event.Decode(raws[i%2], "USD"); err != nil {
			b.Fatal(err)
		}
	}
}
