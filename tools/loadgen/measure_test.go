package main

import (
	"encoding/json"
	"strconv"
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

// A live message's head is read without allocating (the viewers' process reads ~230,000 a
// second on the server's cores), and a rare one is decoded in full.
func TestParseReadsLiveMessagesWithoutAllocating(t *testing.T) {
	start := time.Now()
	sent := start.Add(42 * time.Millisecond)
	id := "lg-7-" + strconv.FormatInt(sent.UnixNano(), 10)
	line := []byte(`{"type":"celebration","channel":"floor","seq":1234,"epoch":"e1f2","data":{"rep_id":"r1","amount": 5000,"event_id":"` + id + `"}}`)
	known := [2]chanState{{name: "contest:c1", epoch: "aa"}, {name: "floor", epoch: "e1f2"}}
	h, err := parse(line, &known)
	if err != nil || h.Type != "celebration" || h.Channel != "floor" || h.Seq != 1234 || h.Epoch != "e1f2" || string(h.eventID) != id {
		t.Fatalf("parse: %+v, %v", h, err)
	}
	if got, ok := sentAt(h.eventID, start); !ok || time.Duration(got) != 42*time.Millisecond {
		t.Fatalf("sentAt(%q) = %v, %v", h.eventID, time.Duration(got), ok)
	}
	if n := testing.AllocsPerRun(100, func() {
		h, _ := parse(line, &known)
		_, _ = sentAt(h.eventID, start)
	}); n != 0 {
		t.Errorf("a celebration's head took %v allocations", n)
	}

	// A channel or epoch the client did not know yet is still read.
	h, err = parse([]byte(`{"type":"update","channel":"contest:c9","seq":3,"epoch":"ff","data":{"top":[]}}`), &known)
	if err != nil || h.Type != "update" || h.Channel != "contest:c9" || h.Seq != 3 || h.Epoch != "ff" {
		t.Fatalf("parse update: %+v, %v", h, err)
	}
	recovered := false
	h, err = parse([]byte(`{"type":"snapshot","channel":"floor","seq":9,"epoch":"e1f2","recovered":false,"data":{}}`), &known)
	if err != nil || h.Type != "snapshot" || h.Seq != 9 || h.Recovered == nil || *h.Recovered != recovered {
		t.Fatalf("parse snapshot: %+v, %v", h, err)
	}
	if _, err := parse([]byte(`{"type":"update","channel":"floor","epoch":"x","data":{}}`), &known); err == nil {
		t.Error("an update without seq was read")
	}
}
