package simulate

import (
	"context"

	"github.com/segmentio/kafka-go"
)

// KafkaSink writes the flow to a topic through a kafka-go writer.
type KafkaSink struct{ W *kafka.Writer }

// Write writes msgs and returns once the writer has them acknowledged.
func (s KafkaSink) Write(ctx context.Context, msgs []Message) error {
	out := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		out[i] = kafka.Message{Key: m.Key, Value: m.Value}
	}
	return s.W.WriteMessages(ctx, out...)
}
