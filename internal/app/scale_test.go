package app_test

import (
	"context"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/testenv"
)

// The group grows from one consumer to three and shrinks back to one while events flow: every
// rebalance hands partitions over with batches in flight, and whatever two consumers both read
// counts once.
func TestConsumerGroupOneThreeOneMidStreamCountsEveryEventOnce(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.BatchSize = 50 // small batches: a rebalance finds some in flight
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("Group 1-3-1"))
	bin := binary(t, "consumer")
	startProcess(t, bin, environ(cfg))
	testenv.Eventually(t, 30*time.Second, "one consumer in the group", func() bool { return stableMembers(cfg) == 1 })

	f := newWinFlow("sc-", 12)
	pauses := watchProgress(db)
	stop := stream(cfg, f, 10, 50*time.Millisecond)
	streamed := time.Now()
	time.Sleep(2 * time.Second)
	second, third := startProcess(t, bin, environ(cfg)), startProcess(t, bin, environ(cfg))
	testenv.Eventually(t, 30*time.Second, "three consumers sharing the partitions", func() bool { return stableMembers(cfg) == 3 })
	time.Sleep(3 * time.Second)
	for _, p := range []*exec.Cmd{second, third} { // scaled down: a graceful stop
		if err := p.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := p.Wait(); err != nil {
			t.Fatalf("a consumer after SIGTERM: %v", err)
		}
	}
	testenv.Eventually(t, 30*time.Second, "one consumer again", func() bool { return stableMembers(cfg) == 1 })
	time.Sleep(2 * time.Second)
	sent, err := stop()
	if err != nil {
		t.Fatalf("producing: %v", err)
	}
	lastSent := time.Now()
	rate := float64(sent) / lastSent.Sub(streamed).Seconds()
	ids, want := f.sent()
	all := settle(60*time.Second, func() bool {
		return eventCount(t, db) == len(ids) && sameScores(want, scores(t, store, c.ID)) == nil
	})
	longest := pauses()
	fig := countFigures(t, db, store, c.ID, f)
	t.Logf("figures: %s; group 1 -> 3 -> 1 while %.0f events/s flowed; longest pause in applying %v, all applied %v after the last was sent",
		fig, rate, longest.Round(10*time.Millisecond), time.Since(lastSent).Round(10*time.Millisecond))
	if !all || fig.lost != 0 || fig.doubled != 0 {
		t.Fatalf("after 1 -> 3 -> 1: %s", fig)
	}
	if err := sameScores(want, ledgerScores(t, db, c.ID)); err != nil {
		t.Fatalf("ledger: %v", err)
	}
}

// stableMembers is how many members the test's group has once it is stable, each with
// partitions of the topic (0 while it rebalances).
func stableMembers(cfg config.Config) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client := &kafkago.Client{Addr: kafkago.TCP(cfg.KafkaBrokers...)}
	res, err := client.DescribeGroups(ctx, &kafkago.DescribeGroupsRequest{GroupIDs: []string{cfg.KafkaGroup}})
	if err != nil || len(res.Groups) != 1 || res.Groups[0].Error != nil || res.Groups[0].GroupState != "Stable" {
		return 0
	}
	n := 0
	for _, m := range res.Groups[0].Members {
		for _, tp := range m.MemberAssignments.Topics {
			if tp.Topic == cfg.KafkaTopic && len(tp.Partitions) > 0 {
				n++
				break
			}
		}
	}
	return n
}

// watchProgress samples the ledger's event count until the returned func is called, which
// gives the longest time the count stood still while events were coming (the stream sends
// every 50 ms, so any longer stillness is the consumers pausing).
func watchProgress(db *postgres.DB) func() time.Duration {
	var (
		mu      sync.Mutex
		longest time.Duration
	)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		last, lastChange := -1, time.Now()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			var n int
			if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n); err != nil {
				continue
			}
			now := time.Now()
			if n != last {
				mu.Lock()
				if last > 0 {
					longest = max(longest, now.Sub(lastChange))
				}
				mu.Unlock()
				last, lastChange = n, now
			}
		}
	}()
	return func() time.Duration {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return longest
	}
}
