package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"bullpen/internal/webhook"
)

// oneRun is a queue holding a single run: the first Deliver hands it to send and keeps the
// outcomes; later ones find nothing due.
type oneRun struct {
	mu    sync.Mutex
	run   []webhook.Delivery
	limit int
	outs  chan []webhook.Outcome
}

func (q *oneRun) Deliver(ctx context.Context, _ time.Time, limit int, send func(context.Context, []webhook.Delivery) []webhook.Outcome) (int, error) {
	q.mu.Lock()
	run := q.run
	q.run, q.limit = nil, limit
	q.mu.Unlock()
	if len(run) == 0 {
		return 0, nil
	}
	q.outs <- send(ctx, run)
	return len(run), nil
}

func (q *oneRun) PruneWebhooks(context.Context, time.Time) error { return nil }

// sendOneRun runs a deliverer (runs of runMax and runTime, 0 for the defaults) on a queue of n
// deliveries to url and returns the outcomes of its run and the limit it asked for.
func sendOneRun(t *testing.T, url string, n, runMax int, runTime time.Duration) ([]webhook.Outcome, int) {
	t.Helper()
	q := &oneRun{outs: make(chan []webhook.Outcome, 1)}
	for i := range n {
		q.run = append(q.run, webhook.Delivery{Seq: int64(i), ID: fmt.Sprintf("msg_%d", i), Type: webhook.EventTest,
			Data: []byte(`{}`), URL: url, Secret: webhook.NewSecret(), Format: webhook.FormatBullpen})
	}
	d := &webhook.Deliverer{Queue: q, Client: webhook.NewClient(webhook.Guard{AllowPrivate: true}, time.Second),
		Schedule: webhook.Schedule{Base: time.Second, Cap: time.Second, GiveUpAfter: time.Hour}, RunMax: runMax, RunTime: runTime}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = d.Run(ctx) }()
	select {
	case outs := <-q.outs:
		q.mu.Lock()
		defer q.mu.Unlock()
		return outs, q.limit
	case <-time.After(30 * time.Second):
		t.Fatal("the run was never sent")
		return nil, 0
	}
}

func TestARunStopsAtItsFirstFailureAndSendsNothingAfterIt(t *testing.T) {
	var mu sync.Mutex
	var heard []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, r.Header.Get(webhook.HeaderID))
		if len(heard) == 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	outs, limit := sendOneRun(t, srv.URL, 6, 0, 0)
	if limit != 50 {
		t.Errorf("asked for runs of %d, want 50 by default", limit)
	}
	if len(outs) != 3 || !outs[0].Delivered || !outs[1].Delivered || outs[2].Delivered || outs[2].NextAttempt == nil {
		t.Fatalf("outcomes %+v, want 2 delivered then a retry", outs)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(heard) != "[msg_0 msg_1 msg_2]" {
		t.Fatalf("receiver heard %v, want msg_0..msg_2 in order and nothing after the failure", heard)
	}
}

func TestARunStopsStartingRequestsOnceItsTimeIsUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(40 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	outs, limit := sendOneRun(t, srv.URL, 20, 20, 100*time.Millisecond)
	if limit != 20 {
		t.Errorf("asked for runs of %d, want RunMax 20", limit)
	}
	// 40 ms a request: the fourth starts after 120 ms at the earliest, past the run's 100 ms.
	if len(outs) < 1 || len(outs) > 3 {
		t.Fatalf("%d requests in a run of 100 ms at 40 ms each, want 1 to 3", len(outs))
	}
	for i, o := range outs {
		if !o.Delivered || o.DeliveryID != fmt.Sprintf("msg_%d", i) {
			t.Fatalf("outcome %d: %+v", i, o)
		}
	}
}
