package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	httpapi "bullpen/internal/http"
	"bullpen/internal/kafka"
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

// With the event stream down, POST /events says so: 503 unavailable with Retry-After, not a
// bare 500; nothing is recorded as posted, and the same request with the same Idempotency-Key
// goes through once the stream is back.
func TestPostEventsWithTheStreamDownIsUnavailableAndCanBeSentAgain(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	_ = ln.Close() // a port where no broker answers
	stream := &switchedProducer{down: kafka.NewProducer(kafka.Cluster{Brokers: []string{dead}}, "deals")}
	t.Cleanup(func() { _ = stream.down.Close() })
	e := newEnv(t, func(d *httpapi.Deps) { d.Producer = stream })
	ingest := e.mustMint(adminSecret, bullpen.RoleIngest, "")

	r := e.do("POST", "/api/v1/events", ingest.Token, "["+goodEvent+"]", "Idempotency-Key", "batch-7")
	r.WantError(t, 503, bullpen.EUnavailable, "")
	if got := r.Header.Get("Retry-After"); got == "" || got == "0" {
		t.Errorf("Retry-After %q, want whole seconds", got)
	}
	for _, it := range e.audit("entity", "events").Items {
		t.Errorf("a post the stream refused is in the audit trail: %+v", it)
	}

	stream.up(e.producer) // the stream is back
	var got struct{ Accepted int }
	e.do("POST", "/api/v1/events", ingest.Token, "["+goodEvent+"]", "Idempotency-Key", "batch-7").Want(t, 202, &got)
	if n := len(e.producer.produced()); got.Accepted != 1 || n != 1 {
		t.Fatalf("after the stream came back: accepted %d, produced %d", got.Accepted, n)
	}
}

// switchedProducer produces to down until up is called, then to the producer given.
type switchedProducer struct {
	mu   sync.Mutex
	down *kafka.Producer
	to   httpapi.Producer
}

func (p *switchedProducer) up(to httpapi.Producer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.to = to
}

func (p *switchedProducer) Produce(ctx context.Context, msgs ...event.Record) error {
	p.mu.Lock()
	to := p.to
	p.mu.Unlock()
	if to == nil {
		return p.down.Produce(ctx, msgs...)
	}
	return to.Produce(ctx, msgs...)
}
