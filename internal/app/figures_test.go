package app_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
)

// The fault tests count what they sent against what the ledger and the board hold, and log it
// with the time to recover as one "figures:" line each: docs/reliability.md quotes them.

// winFlow makes wins of one amount each, by reps rep-0 … rep-(reps-1) in turn. An event counted
// once adds exactly that amount to its rep, so each rep's score says how many of its events
// counted, and how many times.
type winFlow struct {
	prefix string
	reps   int
	cents  int64
	mu     sync.Mutex
	ids    []string
	want   map[string]int64 // rep -> hundredths
}

func newWinFlow(prefix string, reps int) *winFlow {
	return &winFlow{prefix: prefix, reps: reps, cents: 1000, want: map[string]int64{}}
}

// next makes k more events (safe from a producing goroutine).
func (f *winFlow) next(k int) []kafkago.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]kafkago.Message, 0, k)
	for range k {
		i := len(f.ids)
		id, rep := fmt.Sprintf("%s%d", f.prefix, i), fmt.Sprintf("rep-%d", i%f.reps)
		f.ids = append(f.ids, id)
		f.want[rep] += f.cents
		out = append(out, won(id, rep, "D-"+id, f.cents/100))
	}
	return out
}

func (f *winFlow) sent() ([]string, map[string]int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	want := make(map[string]int64, len(f.want))
	for k, v := range f.want {
		want[k] = v
	}
	return append([]string(nil), f.ids...), want
}

// figures: sent; applied (in the ledger's events); lost (sent and missing from the ledger, or
// from its rep's score in the ledger or on the board); doubled (counted more than once there).
type figures struct{ sent, applied, lost, doubled int }

func (f figures) String() string {
	return fmt.Sprintf("sent=%d applied=%d lost=%d doubled=%d", f.sent, f.applied, f.lost, f.doubled)
}

func countFigures(t *testing.T, db *postgres.DB, store *redis.Store, contestID string, f *winFlow) figures {
	t.Helper()
	ids, want := f.sent()
	var out figures
	out.sent = len(ids)
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE event_id = ANY($1)`, ids).Scan(&out.applied); err != nil {
		t.Fatal(err)
	}
	ledger, board := ledgerScores(t, db, contestID), scores(t, store, contestID)
	lostInScores := 0
	for rep, cents := range want {
		wantN := int(cents / f.cents)
		l, b := int(ledger[rep]/f.cents), int(board[rep]/f.cents)
		lostInScores += max(0, wantN-min(l, b))
		out.doubled += max(0, max(l, b)-wantN)
	}
	for rep, v := range ledger {
		if _, ok := want[rep]; !ok {
			out.doubled += int(v / f.cents)
		}
	}
	out.lost = max(out.sent-out.applied, lostInScores)
	return out
}

// settle polls cond until it holds or timeout passes, and says which; unlike
// testenv.Eventually it lets the test count what it has before it fails.
func settle(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// stream produces batches of f's events every interval in the background until stop is called,
// which returns how many it sent and the first error.
func stream(cfg config.Config, f *winFlow, batch int, interval time.Duration) (stop func() (int, error)) {
	w := &kafkago.Writer{Addr: kafkago.TCP(cfg.KafkaBrokers...), Transport: &kafkago.Transport{}, Topic: cfg.KafkaTopic,
		Balancer: &kafkago.Hash{}, RequiredAcks: kafkago.RequireAll, BatchTimeout: time.Millisecond, BatchSize: 5000}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var sent int
	var err error
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			msgs := f.next(batch)
			// A write cut short by stop may still land: the ledger counts it, so do we.
			if e := w.WriteMessages(context.WithoutCancel(ctx), msgs...); e != nil {
				err = e
				return
			}
			sent += len(msgs)
		}
	}()
	return func() (int, error) {
		cancel()
		<-done
		_ = w.Close()
		return sent, err
	}
}
