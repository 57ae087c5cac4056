package main

import (
	"encoding/json"
	"testing"
	"time"
)

// The send time travels in the event's id, so the viewers' process reads it from the
// celebration that names the event.
func TestEventIDCarriesItsSendTime(t *testing.T) {
	p := &producer{rate: 100, wonRate: 1, reps: 5, teams: 2, rng: newRand(), deals: map[int][]string{}}
	start := time.Now()
	sent := start.Add(1234567 * time.Microsecond)
	b, _ := p.event(nil, true, sent, sent.UnixNano())
	var ev struct {
		EventID string `json:"event_id"`
		Type    string `json:"type"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if ev.Type != "deal.won" {
		t.Fatalf("type %q", ev.Type)
	}
	got, ok := sentAt(ev.EventID, start)
	if !ok || time.Duration(got) != sent.Sub(start) {
		t.Fatalf("sentAt(%q) = %v, %v; want %v", ev.EventID, time.Duration(got), ok, sent.Sub(start))
	}
	first := ev.EventID
	b2, _ := p.event(nil, false, sent, sent.UnixNano())
	if err := json.Unmarshal(b2, &ev); err != nil || ev.EventID == first {
		t.Fatalf("second event %s: %v (the first was %q)", b2, err, first)
	}
	for _, id := range []string{"evt-1", "lg-", "lg-7-x", ""} {
		if _, ok := sentAt(id, start); ok {
			t.Errorf("sentAt(%q) took it for a loadgen id", id)
		}
	}
}
