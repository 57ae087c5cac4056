package simulate_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"bullpen/internal/event"
	"bullpen/tools/internal/simulate"
)

type memSink struct {
	mu   sync.Mutex
	msgs []simulate.Message
	fail bool
}

func (s *memSink) Write(ctx context.Context, msgs []simulate.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("broker down")
	}
	s.msgs = append(s.msgs, msgs...)
	return nil
}

func TestRunPacesTheFlowAndKeysByRep(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 1, RunID: "r"})
	sink := &memSink{}
	counts, err := simulate.Run(context.Background(), g, sink, simulate.RunConfig{
		Rate: 200, Duration: 500 * time.Millisecond, Tick: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// 200/s for 0.5 s is 100; allow for a slow machine.
	if n := len(sink.msgs); n < 40 || n > 110 {
		t.Errorf("%d messages in 0.5 s at 200/s", n)
	}
	if counts.Total != int64(len(sink.msgs)) {
		t.Errorf("counted %d, sent %d", counts.Total, len(sink.msgs))
	}
	for _, m := range sink.msgs {
		ev, derr := event.Decode(m.Value, "USD")
		if derr != nil {
			t.Fatalf("bad event: %v", derr)
		}
		if string(m.Key) != ev.RepID {
			t.Fatalf("key %q, rep %q", m.Key, ev.RepID)
		}
	}
}

func TestRunStopsWhenTheContextEnds(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 1})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := simulate.Run(ctx, g, &memSink{}, simulate.RunConfig{Rate: 50}); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestRunReportsASinkThatNeverTakesAnything(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 1})
	counts, err := simulate.Run(context.Background(), g, &memSink{fail: true}, simulate.RunConfig{
		Rate: 100, Duration: 200 * time.Millisecond, Tick: 10 * time.Millisecond,
	})
	if err == nil || counts.Failed == 0 {
		t.Fatalf("err %v, failed %d: want an error", err, counts.Failed)
	}
}

func TestRunRefusesABadRate(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 1})
	if _, err := simulate.Run(context.Background(), g, &memSink{}, simulate.RunConfig{Rate: 0}); err == nil {
		t.Fatal("rate 0 accepted")
	}
}
