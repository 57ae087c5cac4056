package main

import (
	"testing"
	"time"
)

// Redis's share is its CPU seconds over the run's, and "unknown" (not 0, not a jump from 0)
// when either end could not read it.
func TestRedisCPUIsUnknownWhenEitherEndCouldNotReadIt(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	a := cpuMark{at: at, redis: 100}
	b := cpuMark{at: at.Add(10 * time.Second), redis: 103.5}
	if got := cpuBetween(a, b).Redis; got != 0.35 {
		t.Errorf("read at both ends: %v cores, want 0.35", got)
	}
	for _, c := range []struct{ a, b float64 }{{0, 103.5}, {100, 0}} {
		a.redis, b.redis = c.a, c.b
		if got := cpuBetween(a, b).Redis; got != redisUnknown {
			t.Errorf("read %v then %v: %v, want unknown", c.a, c.b, got)
		}
	}
}
