package main

import (
	"math"
	"testing"
	"time"
)

// The server's times between two scrapes are the differences of the histogram's cumulative
// counts: the buckets holding the p50 and the p99, and the share over the goal's bound.
func TestServerLatenciesAreTheHistogramsDifference(t *testing.T) {
	inf := math.Inf(1)
	before := durations{"GET /api/v1/me": {0.025: 10, 0.1: 10, 0.25: 10, inf: 10}}
	after := durations{
		// 100 more: 60 within 25 ms, 35 more within 100 ms, 4 more within 250 ms, 1 beyond.
		"GET /api/v1/me": {0.025: 70, 0.1: 105, 0.25: 109, inf: 110},
		// 100, every one beyond the last bound.
		"GET /api/v1/reps/:id": {0.025: 0, 0.1: 0, 0.25: 0, inf: 100},
		"GET /healthz":         {0.025: 5, 0.1: 5, 0.25: 5, inf: 5},
	}
	got := serverLatencies(before, after, rushRoutes, 100*time.Millisecond)
	if len(got) != 2 {
		t.Fatalf("%d endpoints, want the rush's 2: %+v", len(got), got)
	}
	me := got[endpointMe]
	if me.Requests != 100 || me.P50 != "≤ 25 ms" || me.P99 != "≤ 250 ms" || math.Abs(me.OverGoalPart-0.05) > 1e-9 {
		t.Errorf("/me %+v, want 100 requests, p50 ≤ 25 ms, p99 ≤ 250 ms, 5 %% over 100 ms", me)
	}
	reps := got[endpointRep]
	if reps.Requests != 100 || reps.P50 != "> 250 ms" || reps.P99 != "> 250 ms" || reps.OverGoalPart != 1 {
		t.Errorf("/reps/{id} %+v, want 100 requests, p50 and p99 > 250 ms, all over 100 ms", reps)
	}
}
