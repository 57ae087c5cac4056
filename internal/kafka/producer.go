// Package kafka reads deal events from and writes them to Kafka, through segmentio/kafka-go.
package kafka

import (
	"context"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/event"
)

// Producer writes to one topic, keyed, waiting for the broker's acknowledgement.
type Producer struct {
	w *kafkago.Writer
}

// NewProducer returns a producer for topic. Messages with the same key go to the same
// partition (kafka-go's hash balancer, compatible with the Java client's murmur2 is not
// needed: only "same key, same partition" matters here).
func NewProducer(c Cluster, topic string) *Producer {
	return &Producer{w: &kafkago.Writer{
		Addr:         kafkago.TCP(c.Brokers...),
		Transport:    c.Transport(),
		Topic:        topic,
		Balancer:     &kafkago.Hash{},
		RequiredAcks: kafkago.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
		BatchSize:    100, // kafka-go allocates a batch's messages up front: 1000 were ~150 KB per request
		MaxAttempts:  5,
	}}
}

// HeaderSentBy carries event.Record.SentBy: the token that posted the event to the API.
const HeaderSentBy = "bullpen-sent-by"

// Produce writes msgs and returns once the broker has them all.
func (p *Producer) Produce(ctx context.Context, msgs ...event.Record) error {
	out := make([]kafkago.Message, len(msgs))
	for i, m := range msgs {
		out[i] = kafkago.Message{Key: m.Key, Value: m.Value}
		if m.SentBy != "" {
			out[i].Headers = []kafkago.Header{{Key: HeaderSentBy, Value: []byte(m.SentBy)}}
		}
	}
	if err := p.w.WriteMessages(ctx, out...); err != nil {
		return fmt.Errorf("produce to %s: %w", p.w.Topic, err)
	}
	return nil
}

// Close flushes and closes the producer.
func (p *Producer) Close() error {
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("close the producer of %s: %w", p.w.Topic, err)
	}
	return nil
}
