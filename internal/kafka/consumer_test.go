package kafka

import (
	"context"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/event"
	"bullpen/internal/testenv"
)

// A batch takes what follows its first message without a pause and ends at the first pause,
// long before its BatchWait: the messages after the pause make the next batch.
func TestFillEndsABatchAtAPauseAndNotAtItsLongestWait(t *testing.T) {
	t.Parallel()
	brokers := testenv.KafkaBrokers(t)
	topic, _ := testenv.Topics(t, brokers, 1)
	w := NewProducer(Cluster{Brokers: brokers}, topic)
	defer func() { _ = w.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	produce := func(from, n int) {
		msgs := make([]event.Record, n)
		for i := range msgs {
			msgs[i] = event.Record{Value: fmt.Appendf(nil, "%d", from+i)}
		}
		if err := w.Produce(ctx, msgs...); err != nil {
			t.Error(err)
		}
	}
	produce(0, 5)
	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, Topic: topic, MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 50 * time.Millisecond})
	defer func() { _ = r.Close() }()
	// The first five were written together: the reader's first fetch brings them all.
	go func() {
		time.Sleep(300 * time.Millisecond) // a pause far longer than batchIdle, far shorter than the wait
		produce(5, 5)
	}()

	const wait = 3 * time.Second
	var batch []kafkago.Message
	start := time.Now()
	if err := fill(ctx, r, &batch, 100, wait); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	// All five, unless a busy machine held the reader back between two of them for longer
	// than batchIdle: then the rest comes in the next batches, still before the pause.
	if last := string(batch[len(batch)-1].Value); len(batch) > 5 || last != fmt.Sprint(len(batch)-1) {
		t.Fatalf("the batch before the pause: %d messages, the last %q; want at most the first 5", len(batch), last)
	}
	if took >= 300*time.Millisecond {
		t.Fatalf("the batch ended after %v: it waited for the messages after the pause", took)
	}
	seen := len(batch)
	for seen < 5 {
		batch = batch[:0]
		if err := fill(ctx, r, &batch, 100, wait); err != nil {
			t.Fatal(err)
		}
		if string(batch[0].Value) != fmt.Sprint(seen) || seen+len(batch) > 5 {
			t.Fatalf("a batch before the pause starts at %q with %d messages, after %d", batch[0].Value, len(batch), seen)
		}
		seen += len(batch)
	}

	batch = batch[:0]
	if err := fill(ctx, r, &batch, 100, wait); err != nil {
		t.Fatal(err)
	}
	if string(batch[0].Value) != "5" {
		t.Fatalf("the batch after the pause starts at %q, want 5", batch[0].Value)
	}
}
