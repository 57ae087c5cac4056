package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/event"
	"bullpen/internal/kafka"
	"bullpen/internal/testenv"
)

func TestWatermarkWaitsForTheGroupToCommitWhatArrivedBefore(t *testing.T) {
	t.Parallel()
	broker := testenv.StartKafka(t) // appends with the broker's clock, as production should
	cfg := testenv.Config(t, testenv.WithBrokers(broker.Brokers))
	ctx := context.Background()
	w := kafka.NewWatermark(kafka.Cluster{Brokers: cfg.KafkaBrokers}, cfg.KafkaTopic, cfg.KafkaGroup)

	// A new broker answers "not the coordinator" or "not the leader" for a moment.
	var applied bool
	var err error
	testenv.Eventually(t, 30*time.Second, "the new topic and group to be served", func() bool {
		applied, err = w.AppliedBefore(ctx, time.Now())
		return err == nil
	})
	if !applied {
		t.Fatalf("an empty topic: applied %v, err %v", applied, err)
	}
	p := kafka.NewProducer(kafka.Cluster{Brokers: cfg.KafkaBrokers}, cfg.KafkaTopic)
	defer func() { _ = p.Close() }()
	for i := 0; i < 20; i++ {
		if err := p.Produce(ctx, event.Record{Key: []byte(fmt.Sprint("k", i)), Value: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now()
	time.Sleep(50 * time.Millisecond)
	if applied, err := w.AppliedBefore(ctx, before.Add(-time.Hour)); err != nil || !applied {
		t.Fatalf("nothing arrived an hour ago: applied %v, err %v", applied, err)
	}
	if applied, err := w.AppliedBefore(ctx, before); err != nil || applied {
		t.Fatalf("20 records arrived and none is committed: applied %v, err %v", applied, err)
	}

	// A group reads and commits everything: now it is applied.
	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: cfg.KafkaBrokers, Topic: cfg.KafkaTopic, GroupID: cfg.KafkaGroup,
		StartOffset: kafkago.FirstOffset, SessionTimeout: 6 * time.Second})
	defer func() { _ = r.Close() }()
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for i := 0; i < 20; i++ {
		m, err := r.FetchMessage(rctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.CommitMessages(rctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if applied, err := w.AppliedBefore(ctx, before); err != nil || !applied {
		t.Fatalf("all committed: applied %v, err %v", applied, err)
	}
}
