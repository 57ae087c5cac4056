package kafka

import (
	"context"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/pipeline"
)

// DeadLetters writes events that can never apply to the dead-letter topic, unchanged, with
// the reason in the `error` and `error_detail` headers and where it came from in `source`.
type DeadLetters struct {
	w *kafkago.Writer
}

// NewDeadLetters returns a writer for topic.
func NewDeadLetters(c Cluster, topic string) *DeadLetters {
	return &DeadLetters{w: &kafkago.Writer{
		Addr:         kafkago.TCP(c.Brokers...),
		Transport:    c.Transport(),
		Topic:        topic,
		Balancer:     &kafkago.Hash{},
		RequiredAcks: kafkago.RequireAll,
		BatchTimeout: time.Millisecond,
		MaxAttempts:  3,
	}}
}

// DeadLetter writes letters and returns once the broker has them.
func (d *DeadLetters) DeadLetter(ctx context.Context, letters []pipeline.DeadLetter) error {
	out := make([]kafkago.Message, len(letters))
	for i, l := range letters {
		out[i] = kafkago.Message{Key: l.Key, Value: l.Value, Headers: []kafkago.Header{
			{Key: "error", Value: []byte(l.Code)},
			{Key: "error_detail", Value: []byte(l.Detail)},
			{Key: "source", Value: []byte(l.Source)},
		}}
	}
	if err := d.w.WriteMessages(ctx, out...); err != nil {
		return fmt.Errorf("write dead letters to %s: %w", d.w.Topic, err)
	}
	return nil
}

// Close flushes and closes the writer.
func (d *DeadLetters) Close() error {
	if err := d.w.Close(); err != nil {
		return fmt.Errorf("close the writer of %s: %w", d.w.Topic, err)
	}
	return nil
}
