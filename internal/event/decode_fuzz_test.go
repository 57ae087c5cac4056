package event_test

import (
	"encoding/json"
	"testing"
	"time"

	"bullpen/internal/event"
)

// FuzzDecode holds the event decoder to encoding/json as an independent reader of the same
// bytes: whatever Decode accepts is valid JSON whose members say what the event says, and a
// refusal always carries a dead-letter code. It never panics, on any input.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"event_id":"e1","type":"deal.won","occurred_at":"2026-11-27T10:00:00-05:00","rep_id":"rep-1","deal_id":"D1","amount":5000.5}`,
		`{"event_id":"e1","type":"deal.updated","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","deal_id":"D1","amount":"12.30","units":3,"currency":"usd"}`,
		`{"event_id":"e1","type":"deal.reversed","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","deal_id":"D1"}`,
		`{"event_id":"e1","type":"activity","occurred_at":"2026-11-27T10:00:00.123+01:00","rep_id":"r","activity":"call","rep_name":"Zoë","team_id":"east"}`,
		`{"event_id":"e1","event_id":"e2","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","activity":"\u00e9"}`,
		`{"event_id":"e1","type":"deal.won","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","deal_id":"D1","amount":1e3}`,
		`[1,2]`, `null`, `{"event_id":`, "{\"event_id\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, derr := event.Decode(raw, "USD")
		again, derr2 := event.Decode(raw, "USD")
		// Times are compared with Equal: each parse makes its own fixed zone.
		a, b := ev, again
		a.OccurredAt, b.OccurredAt = time.Time{}, time.Time{}
		if (derr == nil) != (derr2 == nil) || (derr == nil && (a != b || !ev.OccurredAt.Equal(again.OccurredAt))) ||
			(derr != nil && *derr != *derr2) {
			t.Fatalf("two decodes of the same bytes differ: %+v %v / %+v %v", ev, derr, again, derr2)
		}
		if derr != nil {
			if derr.Code == "" || derr.Detail == "" {
				t.Fatalf("a refusal without a code or detail: %+v", derr)
			}
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("accepted bytes encoding/json refuses (%v): %q", err, raw)
		}
		str := func(name string) string {
			var s string
			if err := json.Unmarshal(m[name], &s); err != nil {
				t.Fatalf("accepted %s that is not a string to encoding/json: %s", name, m[name])
			}
			return s
		}
		if str("event_id") != ev.EventID || str("rep_id") != ev.RepID || event.Type(str("type")) != ev.Type {
			t.Fatalf("decoded %+v, encoding/json reads %s", ev, raw)
		}
		if ts, err := time.Parse(time.RFC3339Nano, str("occurred_at")); err != nil || !ts.Equal(ev.OccurredAt) {
			t.Fatalf("occurred_at %v, encoding/json reads %s", ev.OccurredAt, m["occurred_at"])
		}
		if ev.Type.IsDeal() && str("deal_id") != ev.DealID {
			t.Fatalf("deal_id %q, encoding/json reads %s", ev.DealID, m["deal_id"])
		}
		if ev.Type == event.Activity && (ev.Activity == "" || str("activity") != ev.Activity) {
			t.Fatalf("activity %q, encoding/json reads %s", ev.Activity, m["activity"])
		}
		if ev.Amount < 0 || ev.Units < 0 || (ev.Type == event.DealWon && !ev.HasAmount) {
			t.Fatalf("accepted an impossible event: %+v", ev)
		}
	})
}
