package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// One run's API p99 on this shared machine moves by a factor of two from one run to the next
// with nothing changed (docs/benchmarks.md, "Morning rush"), so -mornings N plays the rush N
// times, each a fresh morning (a schema, server and consumer of its own), each next to a run
// of its floor (-floor: the same rush with every rep's requests sent to /healthz), and judges
// the API's p99 by the median of the mornings, with every morning's figure and the floor's
// beside it; likewise the leaderboard against /healthz, by the median of the mornings' rounds.
// The other goals must hold in every morning.

// morningsResult is what the mornings and their floors gave, and the verdicts.
type morningsResult struct {
	Mornings, Floors []*report
	// The mornings' API p99 in ms, in order, with their median; the floors' likewise.
	P99ms, FloorP99ms []float64
	MedianP99ms       float64
	MedianFloorP99ms  float64
	WithinGoal        int // mornings whose own p99 met the goal
	// Each morning's leaderboard ÷ /healthz (the median of its rounds), and their median.
	Ratios          []float64
	MedianRatio     float64
	NotOK, FiveXX   int // requests not answered 200, and the 5xx among them, in all the mornings
	Errors          int // the distinct errors vegeta reported, summed over the mornings
	Sockets, Wanted int // sockets that got both snapshots, of those opened, in all runs
}

// judgeMornings judges the mornings (floors: the runs of the floor beside them).
func judgeMornings(mornings, floors []*report) morningsResult {
	s := morningsResult{Mornings: mornings, Floors: floors}
	for _, r := range mornings {
		if r.Rush == nil {
			continue
		}
		h := r.Rush.HTTP
		s.P99ms = append(s.P99ms, ms(h.Latencies.P99))
		if h.Latencies.P99 <= goalP99 {
			s.WithinGoal++
		}
		notOK, fiveXX := h.notOK()
		s.NotOK, s.FiveXX, s.Errors = s.NotOK+notOK, s.FiveXX+fiveXX, s.Errors+len(h.Errors)
		if x := r.Rounds; x != nil && len(x.Ratios) > 0 {
			s.Ratios = append(s.Ratios, x.MedianRatio)
		}
	}
	for _, r := range floors {
		if r.Rush != nil {
			s.FloorP99ms = append(s.FloorP99ms, ms(r.Rush.HTTP.Latencies.P99))
		}
	}
	for _, r := range append(slices.Clone(mornings), floors...) {
		s.Wanted += r.Reps + r.Screens
		if r.Rush != nil {
			s.Sockets += r.Rush.Reps.Opened + r.Rush.Screens.Opened
		}
	}
	s.MedianP99ms, s.MedianFloorP99ms, s.MedianRatio = median(s.P99ms), median(s.FloorP99ms), median(s.Ratios)
	return s
}

// verdicts are the goals met by want mornings: the API's median p99; no error or 5xx in any
// morning; every socket's snapshots in every run; the leaderboard's median ratio, of every
// morning's rounds. None is met unless every morning ran.
type verdicts struct{ P99, NoError, Sockets, Leaderboard bool }

func (s morningsResult) verdicts(want int) verdicts {
	all := len(s.P99ms) == want
	return verdicts{P99: all && s.MedianP99ms <= ms(goalP99), NoError: all && s.NotOK == 0 && s.Errors == 0, Sockets: all && s.Sockets == s.Wanted,
		Leaderboard: all && len(s.Ratios) == want && s.MedianRatio >= goalRatio}
}

// runMornings plays the mornings and their floors, alternating which of a pair goes first.
// Every morning has its leaderboard rounds, the floors none; the profiles are the first
// morning's. Each run's files go to a directory of its own (under -dir when given).
func runMornings(ctx context.Context, o options) (morningsResult, error) {
	var mornings, floors []*report
	for i := range o.mornings {
		order := []bool{false, true} // the morning, then its floor
		if i%2 == 1 {
			order = []bool{true, false}
		}
		for _, floor := range order {
			m := o
			m.floor = floor
			if floor {
				m.rounds = 0
			}
			if i > 0 || floor {
				m.profile, m.rushProfile, m.rushAllocs, m.consumerProfile, m.rushGoroutines = "", "", "", "", ""
			}
			if o.dir != "" {
				m.dir = filepath.Join(o.dir, fmt.Sprintf("morning-%d-%s", i+1, map[bool]string{false: "api", true: "floor"}[floor]))
			}
			logf("morning %d of %d%s", i+1, o.mornings, map[bool]string{true: ", its floor"}[floor])
			rep, err := run(ctx, m)
			if rep != nil {
				rep.Morning = fmt.Sprintf("%d of %d", i+1, o.mornings)
			}
			if rep != nil && rep.Dir != "" {
				var b strings.Builder
				rep.print(&b)
				_ = os.WriteFile(filepath.Join(rep.Dir, "report.txt"), []byte(b.String()), 0o644)
			}
			if rep != nil {
				if floor {
					floors = append(floors, rep)
				} else {
					mornings = append(mornings, rep)
				}
			}
			if err != nil {
				return judgeMornings(mornings, floors), fmt.Errorf("morning %d: %w", i+1, err)
			}
		}
	}
	return judgeMornings(mornings, floors), nil
}

// print writes the first morning's whole report, a line per run, and the verdicts.
func (s morningsResult) print(w io.Writer, want int) {
	p := func(format string, a ...any) { _, _ = fmt.Fprintf(w, format+"\n", a...) }
	if len(s.Mornings) > 0 {
		s.Mornings[0].print(w)
	}
	p("")
	first, last := time.Time{}, time.Time{}
	for _, r := range append(slices.Clone(s.Mornings), s.Floors...) {
		if first.IsZero() || r.Started.Before(first) {
			first = r.Started
		}
		if r.Started.After(last) {
			last = r.Started
		}
	}
	p("MORNINGS  %d of %d, each next to a run of its floor (every rep's requests to /healthz), started %s–%s UTC",
		len(s.Mornings), want, first.Format("2006-01-02 15:04"), last.Format("15:04"))
	line := func(name string, r *report) {
		if r.Rush == nil {
			p("  %-10s did not reach the rush", name)
			return
		}
		h := r.Rush.HTTP
		p("  %-10s %s  HTTP p99 %6.1f ms, p50 %5.1f ms, %d requests, codes %v; sockets %d of %d; machine %.2f of %.0f cores; load average %s",
			name, r.Started.Format("15:04"), ms(h.Latencies.P99), ms(h.Latencies.P50), h.Requests, h.StatusCodes,
			r.Rush.Reps.Opened+r.Rush.Screens.Opened, r.Reps+r.Screens, r.Rush.CPU.Machine, r.Rush.CPU.Cores, r.LoadAvgStart)
	}
	for i := range max(len(s.Mornings), len(s.Floors)) {
		if i < len(s.Mornings) {
			line(fmt.Sprintf("morning %d", i+1), s.Mornings[i])
		}
		if i < len(s.Floors) {
			line(fmt.Sprintf("floor %d", i+1), s.Floors[i])
		}
	}
	p("  API p99 of the mornings: %s ms; median %.1f ms, %d of %d within %s; the floor's median %.1f ms (%s ms)",
		joinf("%.1f", s.P99ms), s.MedianP99ms, s.WithinGoal, len(s.P99ms), goalP99Text, s.MedianFloorP99ms, joinf("%.1f", s.FloorP99ms))
	v := s.verdicts(want)
	p("  GOAL API p99 <= %s, the median of %d mornings: %.1f ms, %s", goalP99Text, want, s.MedianP99ms, verdict(v.P99))
	p("  GOAL no error, no 5xx, in every morning: %d not 200 (%d 5xx, %d errors), %s", s.NotOK, s.FiveXX, s.Errors, verdict(v.NoError))
	p("  GOAL every socket gets its snapshot, in every run: %d of %d, %s", s.Sockets, s.Wanted, verdict(v.Sockets))
	if len(s.Ratios) > 0 {
		p("  leaderboard against /healthz, each morning's rounds: %s; median %.2f", joinf("%.2f", s.Ratios), s.MedianRatio)
		p("  GOAL leaderboard >= %.1fx /healthz, the median of %d mornings' rounds: %.2f, %s", goalRatio, want, s.MedianRatio, verdict(v.Leaderboard))
	}
}

// joinf formats each of xs with format, comma-separated.
func joinf(format string, xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, ", ")
}
