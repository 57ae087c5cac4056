package service

import (
	"context"
	"fmt"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/event"
)

// EventProducer writes deal events to the input topic.
type EventProducer interface {
	Produce(ctx context.Context, msgs ...event.Record) error
}

// Trail appends a change to the audit trail on its own, outside any other write.
type Trail interface {
	Record(ctx context.Context, c audit.Change) error
}

// EventDeps is what posting events needs.
type EventDeps struct {
	Producer EventProducer
	Trail    Trail
}

// Events hands events posted to the API to the input topic, marked with their sender.
type Events struct {
	producer EventProducer
	trail    Trail
}

// NewEvents builds the events use-case.
func NewEvents(d EventDeps) *Events { return &Events{producer: d.Producer, trail: d.Trail} }

// Post produces a validated batch that the token by sent, each event marked with it (the
// consumer records it as the event's sender), then records the post in the audit trail: one
// record per request with its count, not one per event, since each event already names its
// sender in the ledger and a batch may hold 10,000. Kafka and PostgreSQL share no transaction:
// the record follows the produce, so a record never names events that were not sent; if it
// cannot be written the post fails, and the client's retry is harmless (events are applied
// once by event_id) and records it.
func (s *Events) Post(ctx context.Context, by string, msgs []event.Record) error {
	for i := range msgs {
		msgs[i].SentBy = by
	}
	if err := s.producer.Produce(ctx, msgs...); err != nil {
		if ctx.Err() != nil {
			return err
		}
		// The stream is down or refusing: say so (503 and Retry-After), not "internal". Some of
		// a large batch may have gone out; the whole batch again is harmless.
		return fmt.Errorf("%w: %w", bullpen.Errorf(bullpen.EUnavailable,
			"the event stream cannot take events now; send the batch again later (events apply once by event_id)"), err)
	}
	return s.trail.Record(ctx, audit.Change{By: by, Action: "events.post", Detail: map[string]int{"count": len(msgs)}})
}
