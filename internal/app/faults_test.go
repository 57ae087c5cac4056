package app_test

import (
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/testenv"
)

func TestLostRedisIsRebuiltAndNothingIsMissed(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	private := testenv.StartRedis(t)
	cfg.RedisURL = private.URL
	cfg.ProjectionCheck = 300 * time.Millisecond
	db := openDB(t, cfg)
	c := mustContest(t, db, revenueContest("Redis lost"))
	addr := startConsumer(t, cfg)
	store := openStore(t, cfg)

	want := map[string]int64{}
	// wins by reps rep-0 .. rep-(reps-1), $10 each.
	wins := func(from, to, reps int) []kafkago.Message {
		var out []kafkago.Message
		for i := from; i < to; i++ {
			rep := fmt.Sprintf("rep-%d", i%reps)
			want[rep] += 1000
			out = append(out, won(fmt.Sprint("w", i), rep, fmt.Sprint("D", i), 10))
		}
		return out
	}
	total := func() int64 {
		var sum int64
		for _, v := range scores(t, store, c.ID) {
			sum += v
		}
		return sum
	}
	produce(t, cfg, wins(0, 50, 5)...)
	testenv.Eventually(t, 20*time.Second, "the first 50 wins", func() bool { return total() == 50*1000 })
	// The board is whole once a batch's rows are written, but the batch's projection goes on
	// (the reps, the balances): killing Redis then would leave the consumer retrying that batch,
	// with nothing new for the ledger. The applied count moves once a batch is done.
	testenv.Eventually(t, 20*time.Second, "the consumer done with the first 50", func() bool {
		return appliedEvents(t, addr) == 50
	})

	private.Kill()
	// Only some reps score while Redis is down: the others' rows come back through the rebuild
	// alone, not through the retried writes of the batch.
	produce(t, cfg, wins(50, 100, 2)...)
	// The ledger takes a batch of them while Redis is down; the consumer then retries that
	// batch's projection (later batches wait behind it, uncommitted in Kafka).
	testenv.Eventually(t, 20*time.Second, "the ledger to take wins", func() bool { return eventCount(t, db) > 50 })
	time.Sleep(500 * time.Millisecond)
	private.Start() // empty: everything Redis held is gone

	testenv.Eventually(t, 30*time.Second, "the board to come back whole", func() bool { return total() == 100*1000 })
	if n := eventCount(t, db); n != 100 {
		t.Fatalf("%d events in the ledger, want 100", n)
	}
	if err := sameScores(want, scores(t, store, c.ID)); err != nil {
		t.Fatalf("board after Redis came back: %v", err)
	}
}

func TestBrokerRestartLosesNothingAndCountsNothingTwice(t *testing.T) {
	t.Parallel()
	broker := testenv.StartKafka(t)
	cfg := testenv.Config(t, testenv.WithBrokers(broker.Brokers))
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("Broker restart"))
	startConsumer(t, cfg)

	var first, second []kafkago.Message
	for i := 0; i < 60; i++ {
		m := won(fmt.Sprint("k", i), fmt.Sprintf("rep-%d", i%4), fmt.Sprint("D", i), 10)
		if i < 30 {
			first = append(first, m)
		} else {
			second = append(second, m)
		}
	}
	produce(t, cfg, first...)
	testenv.Eventually(t, 30*time.Second, "the first half", func() bool { return eventCount(t, db) == 30 })

	broker.Kill() // kill -9: the consumer loses its group and connections mid-flight
	broker.Start()
	produce(t, cfg, append(second, first...)...) // the first half again, as a producer retry would
	testenv.Eventually(t, 60*time.Second, "the second half", func() bool { return eventCount(t, db) == 60 })
	want := map[string]int64{"rep-0": 15000, "rep-1": 15000, "rep-2": 15000, "rep-3": 15000}
	testenv.Eventually(t, 20*time.Second, "the board", func() bool { return sameScores(want, scores(t, store, c.ID)) == nil })
}
