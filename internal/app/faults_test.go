package app_test

import (
	"context"
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
	restarted := time.Now()

	testenv.Eventually(t, 30*time.Second, "the board to come back whole", func() bool { return total() == 100*1000 })
	wholeIn := time.Since(restarted)
	if n := eventCount(t, db); n != 100 {
		t.Fatalf("%d events in the ledger, want 100", n)
	}
	if err := sameScores(want, scores(t, store, c.ID)); err != nil {
		t.Fatalf("board after Redis came back: %v", err)
	}
	t.Logf("figures: sent=100 applied=100 lost=0 doubled=0 (the board equals the model); board whole %v after Redis came back empty", wholeIn.Round(10*time.Millisecond))
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
	restarted := time.Now()
	produce(t, cfg, append(second, first...)...) // the first half again, as a producer retry would
	testenv.Eventually(t, 60*time.Second, "the first event after the restart", func() bool { return eventCount(t, db) > 30 })
	firstIn := time.Since(restarted)
	testenv.Eventually(t, 60*time.Second, "the second half", func() bool { return eventCount(t, db) == 60 })
	want := map[string]int64{"rep-0": 15000, "rep-1": 15000, "rep-2": 15000, "rep-3": 15000}
	testenv.Eventually(t, 20*time.Second, "the board", func() bool { return sameScores(want, scores(t, store, c.ID)) == nil })
	t.Logf("figures: sent=60 (+30 sent again) applied=60 lost=0 doubled=0 (the board equals the model); first event applied %v after the broker answered again, all %v",
		firstIn.Round(10*time.Millisecond), time.Since(restarted).Round(10*time.Millisecond))
}

// A FLUSHALL differs from a restart: connections and subscriptions live on, so nothing notices
// but the projection's generation mark, gone with everything else, while batches keep writing.
func TestRedisFlushallMidStreamIsRebuiltAndNothingIsMissed(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	private := testenv.StartRedis(t) // FLUSHALL on the shared one would empty every test's keys
	cfg.RedisURL = private.URL
	cfg.ProjectionCheck = 300 * time.Millisecond
	db := openDB(t, cfg)
	c := mustContest(t, db, revenueContest("FLUSHALL"))
	addr := startConsumer(t, cfg)
	store := openStore(t, cfg)
	ctx := context.Background()
	f := newWinFlow("fl-", 7)
	produce(t, cfg, f.next(100)...)
	testenv.Eventually(t, 30*time.Second, "the first 100 events", func() bool { return appliedEvents(t, addr) == 100 })
	// Applied is committed to the ledger; the celebrations reach Redis after, from the outbox.
	var floor []message
	testenv.Eventually(t, 30*time.Second, "a celebration on the floor channel before the flush", func() bool {
		floor = history(t, store, "floor")
		return len(floor) > 0
	})
	oldEpoch := floor[len(floor)-1].Epoch

	stop := stream(cfg, f, 10, 50*time.Millisecond)
	time.Sleep(time.Second)
	if err := store.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	flushed := time.Now()
	rebuilt := testenv.Poll(30*time.Second, func() bool { g, err := store.Generation(ctx); return err == nil && g != "" })
	rebuiltIn := time.Since(flushed)
	time.Sleep(time.Second) // events still flowing after the rebuild
	if _, err := stop(); err != nil {
		t.Fatalf("producing: %v", err)
	}
	lastSent := time.Now()
	ids, want := f.sent()
	all := testenv.Poll(30*time.Second, func() bool {
		return eventCount(t, db) == len(ids) && sameScores(want, scores(t, store, c.ID)) == nil
	})
	fig := countFigures(t, db, store, c.ID, f)
	t.Logf("figures: %s; FLUSHALL with events flowing; projection rebuilt %v after it, board whole %v after the last event was sent",
		fig, rebuiltIn.Round(10*time.Millisecond), time.Since(lastSent).Round(10*time.Millisecond))
	if !rebuilt || !all || fig.lost != 0 || fig.doubled != 0 {
		t.Fatalf("after FLUSHALL: %s (rebuilt: %v, board whole: %v)", fig, rebuilt, all)
	}
	if err := sameScores(want, ledgerScores(t, db, c.ID)); err != nil {
		t.Fatalf("ledger: %v", err)
	}
	// The channel's seq went with the flush: a new epoch tells every client to take a snapshot.
	// The stream's last celebrations may still be on their way from the outbox.
	if !testenv.Poll(30*time.Second, func() bool {
		floor = history(t, store, "floor")
		return len(floor) > 0 && floor[len(floor)-1].Epoch != oldEpoch
	}) {
		t.Fatalf("the floor channel after FLUSHALL: %d messages, last epoch %q (before: %q)", len(floor), lastEpoch(floor), oldEpoch)
	}
}

func lastEpoch(h []message) string {
	if len(h) == 0 {
		return ""
	}
	return h[len(h)-1].Epoch
}
