package webhook_test

import (
	"testing"
	"time"

	"bullpen/internal/webhook"
)

func TestWaitDoublesUpToTheCapWithFullJitter(t *testing.T) {
	top := webhook.Schedule{Base: time.Second, Cap: 30 * time.Second, Rand: func() float64 { return 0.999999 }}
	low := top
	low.Rand = func() float64 { return 0 }
	for failures, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 5: 16 * time.Second, 6: 30 * time.Second, 100: 30 * time.Second} {
		if got := top.Wait(failures); got > want || got < want*99/100 {
			t.Errorf("failure %d: at most %v, want about %v", failures, got, want)
		}
		if got := low.Wait(failures); got != 0 {
			t.Errorf("failure %d: at least %v, want 0 (full jitter)", failures, got)
		}
	}
}

func TestDecideRetriesUntilFailingForTheGiveUpTime(t *testing.T) {
	s := webhook.Schedule{Base: time.Second, Cap: time.Minute, GiveUpAfter: 24 * time.Hour, Rand: func() float64 { return 0.5 }}
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	d := webhook.Delivery{ID: "d", Type: "celebration"}
	o := s.Decide(d, webhook.Result{Status: 200, Latency: 20 * time.Millisecond}, now)
	if !o.Delivered || o.Error != nil || o.NextAttempt != nil || *o.Status != 200 || o.Attempt.Attempt != 1 || !o.At.Equal(now.Add(-20*time.Millisecond)) {
		t.Fatalf("2xx: %+v", o)
	}
	o = s.Decide(d, webhook.Result{Status: 500}, now)
	if o.Delivered || o.GaveUp || o.NextAttempt == nil || !o.NextAttempt.Equal(now.Add(500*time.Millisecond)) || *o.Error != "answered 500" {
		t.Fatalf("500: %+v", o)
	}
	o = s.Decide(d, webhook.Result{Status: 301}, now)
	if o.Delivered {
		t.Fatal("a redirect counted as delivered")
	}
	first := now.Add(-24*time.Hour + time.Second)
	d.FirstFailedAt, d.Attempts = &first, 30
	if o = s.Decide(d, webhook.Result{Status: 503}, now); o.GaveUp || o.NextAttempt == nil {
		t.Fatalf("gave up before 24 h: %+v", o)
	}
	if o = s.Decide(d, webhook.Result{Status: 503}, now.Add(time.Second)); !o.GaveUp || o.NextAttempt != nil || o.DisableReason == "" {
		t.Fatalf("did not give up at 24 h: %+v", o)
	}
}
