package main

import (
	"strings"
	"testing"
	"time"
)

// morning is a run whose API p99 was p99, whose requests got codes, whose sockets all got
// their snapshots but missing, and whose leaderboard rounds had a median ratio of 0.85.
func morning(p99 time.Duration, codes map[string]int, missing int) *report {
	r := &report{Reps: 3, Screens: 1, Rush: &rushResult{}, Rounds: &roundsResult{Ratios: []float64{0.85}, MedianRatio: 0.85}}
	r.Rush.HTTP.Latencies.P99 = p99
	r.Rush.HTTP.StatusCodes = codes
	r.Rush.Reps.Opened, r.Rush.Screens.Opened = 3-missing, 1
	return r
}

var ok200 = map[string]int{"200": 6}

// The API's p99 is judged by the median of the mornings, and each morning's figure is kept
// beside it, as is the leaderboard's ratio to /healthz; the other goals hold only if they hold
// in every morning, and none holds unless every morning ran.
func TestTheMorningsAreJudgedByTheirMedianP99(t *testing.T) {
	ms := time.Millisecond
	floors := []*report{morning(30*ms, ok200, 0), morning(60*ms, ok200, 0), morning(20*ms, ok200, 0)}
	for _, c := range []struct {
		name     string
		mornings []*report
		want     int
		median   float64
		within   int
		verdicts verdicts
	}{
		{"two of three within: the median meets it", []*report{morning(70*ms, ok200, 0), morning(180*ms, ok200, 0), morning(95*ms, ok200, 0)},
			3, 95, 2, verdicts{P99: true, NoError: true, Sockets: true, Leaderboard: true}},
		{"one of three within: the median misses it", []*report{morning(70*ms, ok200, 0), morning(180*ms, ok200, 0), morning(101*ms, ok200, 0)},
			3, 101, 1, verdicts{P99: false, NoError: true, Sockets: true, Leaderboard: true}},
		{"an even count: the middle two's mean", []*report{morning(90*ms, ok200, 0), morning(120*ms, ok200, 0)},
			2, 105, 1, verdicts{P99: false, NoError: true, Sockets: true, Leaderboard: true}},
		{"a 5xx in one morning", []*report{morning(50*ms, ok200, 0), morning(50*ms, map[string]int{"200": 5, "503": 1}, 0), morning(50*ms, ok200, 0)},
			3, 50, 3, verdicts{P99: true, NoError: false, Sockets: true, Leaderboard: true}},
		{"a request without an answer in one morning", []*report{morning(50*ms, ok200, 0), unanswered(morning(50*ms, map[string]int{"200": 5, "0": 1}, 0)), morning(50*ms, ok200, 0)},
			3, 50, 3, verdicts{P99: true, NoError: false, Sockets: true, Leaderboard: true}},
		{"a socket without its snapshots in one morning", []*report{morning(50*ms, ok200, 0), morning(50*ms, ok200, 1), morning(50*ms, ok200, 0)},
			3, 50, 3, verdicts{P99: true, NoError: true, Sockets: false, Leaderboard: true}},
		{"the leaderboard under 0.8 in two mornings of three", []*report{ratio(morning(50*ms, ok200, 0), 0.79), morning(50*ms, ok200, 0), ratio(morning(50*ms, ok200, 0), 0.7)},
			3, 50, 3, verdicts{P99: true, NoError: true, Sockets: true, Leaderboard: false}},
		{"the leaderboard under 0.8 in one morning of three", []*report{ratio(morning(50*ms, ok200, 0), 0.79), morning(50*ms, ok200, 0), morning(50*ms, ok200, 0)},
			3, 50, 3, verdicts{P99: true, NoError: true, Sockets: true, Leaderboard: true}},
		{"a morning that did not run", []*report{morning(50*ms, ok200, 0), morning(50*ms, ok200, 0)},
			3, 50, 2, verdicts{}},
	} {
		s := judgeMornings(c.mornings, floors)
		if s.MedianP99ms != c.median || s.WithinGoal != c.within || s.MedianFloorP99ms != 30 {
			t.Errorf("%s: median %.1f ms, %d within, the floor's %.1f ms; want %.1f, %d, 30", c.name, s.MedianP99ms, s.WithinGoal, s.MedianFloorP99ms, c.median, c.within)
		}
		if got := s.verdicts(c.want); got != c.verdicts {
			t.Errorf("%s: verdicts %+v, want %+v", c.name, got, c.verdicts)
		}
		var out strings.Builder
		s.print(&out, c.want)
		_, summary, _ := strings.Cut(out.String(), "\nMORNINGS ")
		if got := strings.Count(summary, "meets the goal"); got != btoi(c.verdicts.P99)+btoi(c.verdicts.NoError)+btoi(c.verdicts.Sockets)+btoi(c.verdicts.Leaderboard) {
			t.Errorf("%s: the summary says \"meets the goal\" %d times:\n%s", c.name, got, summary)
		}
	}
}

// unanswered adds the error vegeta reports for a request that got no answer (its code 0).
func unanswered(r *report) *report {
	r.Rush.HTTP.Errors = []string{"dial tcp: connection refused"}
	return r
}

// ratio sets a morning's leaderboard ratio.
func ratio(r *report, x float64) *report {
	r.Rounds.Ratios, r.Rounds.MedianRatio = []float64{x}, x
	return r
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
