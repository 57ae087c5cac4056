package http_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"bullpen/internal/bullpen"
)

const (
	goodEvent  = `{"event_id":"e1","type":"deal.won","occurred_at":"2026-11-27T10:00:00-05:00","rep_id":"ana","deal_id":"D1","amount":"1200.50"}`
	otherEvent = `{"event_id":"e2", "type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"bo","activity":"call"}`
)

func TestPostEventsProducesEachEventUnchanged(t *testing.T) {
	e := newEnv(t)
	ingest := e.mustMint(adminSecret, bullpen.RoleIngest, "")
	var got struct{ Accepted int }
	e.do("POST", "/api/v1/events", ingest.Token, "[ "+goodEvent+",\n "+otherEvent+" ]").Want(t, 202, &got)
	msgs := e.producer.produced()
	if got.Accepted != 2 || len(msgs) != 2 {
		t.Fatalf("accepted %d, produced %d", got.Accepted, len(msgs))
	}
	for i, want := range []struct{ key, value string }{{"ana", goodEvent}, {"bo", otherEvent}} {
		if string(msgs[i].Key) != want.key || string(msgs[i].Value) != want.value {
			t.Errorf("message %d = %s %s, want %s %s", i, msgs[i].Key, msgs[i].Value, want.key, want.value)
		}
	}
}

func TestPostEventsIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	bad := strings.Replace(goodEvent, `"1200.50"`, `1.005`, 1)
	e.do("POST", "/api/v1/events", adminSecret, "["+goodEvent+","+bad+"]").WantError(t, 400, bullpen.EInvalid, "1.amount")
	e.do("POST", "/api/v1/events", adminSecret, "["+goodEvent+",7]").WantError(t, 400, bullpen.EInvalid, "1")
	e.do("POST", "/api/v1/events", adminSecret, `[{"type":"deal.won"}]`).WantError(t, 400, bullpen.EInvalid, "0.event_id")
	e.do("POST", "/api/v1/events", adminSecret, `[]`).WantError(t, 400, bullpen.EInvalid, "")
	e.do("POST", "/api/v1/events", adminSecret, goodEvent).WantError(t, 400, bullpen.EInvalid, "")
	e.do("POST", "/api/v1/events", adminSecret, `[`+goodEvent).WantError(t, 400, bullpen.EInvalid, "")
	if n := len(e.producer.produced()); n != 0 {
		t.Fatalf("%d events produced from bad batches", n)
	}
}

func TestPostEventsRefusesOversizedBatches(t *testing.T) {
	e := newEnv(t)
	evs := make([]json.RawMessage, 10_001)
	for i := range evs {
		evs[i] = json.RawMessage(fmt.Sprintf(`{"event_id":"e%d","type":"activity","occurred_at":"2026-11-27T10:00:00Z","rep_id":"r","activity":"call"}`, i))
	}
	e.do("POST", "/api/v1/events", adminSecret, evs).WantError(t, 400, bullpen.EInvalid, "")
	e.do("POST", "/api/v1/events", adminSecret, evs[:10_000]).Want(t, 202, nil)
	if n := len(e.producer.produced()); n != 10_000 {
		t.Fatalf("produced %d, want 10000", n)
	}
}
