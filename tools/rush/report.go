package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// The goals (issue "Trust", the morning rush).
const (
	goalP99     = 100 * time.Millisecond
	goalRatio   = 0.8
	goalP99Text = "100 ms"
)

type report struct {
	Command                 string
	Started                 time.Time
	CPUs                    int
	LoadAvgStart            string
	Reps, Screens           int
	Window                  string
	EventRate               int
	RateLimit               string
	LoadNice                int    // the nice value of the load's side (0: as the system's)
	Floor                   bool   // every rep request went to /healthz: the machine's floor, no API goal
	Morning                 string `json:",omitempty"` // "2 of 5" when one of -mornings
	Dir                     string
	Rush                    *rushResult
	Rounds                  *roundsResult
	Produced, ProduceFailed int64
	Applied                 int64 // committed by the consumer at the end
	DrainSeconds            float64
	LoadAvgEnd              string
}

func verdict(ok bool) string {
	if ok {
		return "meets the goal"
	}
	return "MISSES the goal"
}

// print writes the report for a reader who has not seen the program: what ran, the figures,
// and each goal with its verdict.
func (r *report) print(w io.Writer) {
	p := func(format string, a ...any) { _, _ = fmt.Fprintf(w, format+"\n", a...) }
	p("")
	p("MORNING RUSH  %s UTC, %d CPUs, load average %s at the start, %s at the end", r.Started.Format("2006-01-02 15:04"), r.CPUs, r.LoadAvgStart, r.LoadAvgEnd)
	p("  %s", r.Command)
	if r.Morning != "" {
		p("  morning %s: the verdicts below are this run's alone; those of all the mornings follow them", r.Morning)
	}
	p("  %d reps and %d screens arriving within %s, %d events/s produced to Kafka all along; server BULLPEN_RATE_LIMIT=%s",
		r.Reps, r.Screens, r.Window, r.EventRate, r.RateLimit)
	if r.LoadNice != 0 {
		p("  the load (this program's sockets and producer, and vegeta) at nice %d, the server, consumer and services at their own", r.LoadNice)
	}
	if x := r.Rush; x != nil {
		p("")
		p("The rush (%.1f s from the first request to the last snapshot)", x.Seconds)
		h := x.HTTP
		p("  HTTP (vegeta): %d requests at %.0f/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, success %.2f %%, codes %v",
			h.Requests, h.Rate, ms(h.Latencies.P50), ms(h.Latencies.P99), ms(h.Latencies.Max), 100*h.Success, h.StatusCodes)
		for _, name := range slices.Sorted(maps.Keys(x.Endpoints)) {
			e := x.Endpoints[name]
			p("    %-24s %5d requests, p50 %6.1f ms, p99 %6.1f ms, max %6.1f ms, codes %v", name, e.Requests, e.P50ms, e.P99ms, e.MaxMs, e.Status)
			if sv, ok := x.Server[name]; ok {
				p("      in the server (its histogram): %d requests, p50 %s, p99 %s, %.1f %% over %s", sv.Requests, sv.P50, sv.P99, 100*sv.OverGoalPart, goalP99Text)
			}
		}
		for _, s := range []struct {
			name string
			st   socketStats
			n    int
		}{{"reps' sockets (rep:{id} + a contest)", x.Reps, r.Reps}, {"screens' sockets (floor + a contest)", x.Screens, r.Screens}} {
			p("  %s: %d of %d got both snapshots; dial to welcome p50 %.1f ms p99 %.1f ms; dial to both snapshots p50 %.1f ms p99 %.1f ms max %.1f ms",
				s.name, s.st.Opened, s.n, s.st.WelcomeP50ms, s.st.WelcomeP99ms, s.st.SnapshotP50ms, s.st.SnapshotP99ms, s.st.Max)
			for _, e := range s.st.Errors {
				p("    failed: %s", e)
			}
		}
		p("  events: the consumer committed %.0f/s during the rush, %d behind at its end", x.AppliedPerSec, x.LagAtEnd)
		redis := "unknown"
		if x.CPU.Redis != redisUnknown {
			redis = fmt.Sprintf("%.2f", x.CPU.Redis)
		}
		p("  CPU during the rush (cores): server %.2f, consumer %.2f, Redis %s, the load (sockets, vegeta) %.2f, whole machine %.2f of %.0f",
			x.CPU.Server, x.CPU.Consumer, redis, x.CPU.Load, x.CPU.Machine, x.CPU.Cores)
		bad, fiveXX := h.notOK()
		if r.Floor {
			p("  FLOOR (-floor): every rep's requests went to /healthz; the API goals do not apply to this run")
		} else {
			p("  GOAL API p99 <= %s: %.1f ms, %s", goalP99Text, ms(h.Latencies.P99), verdict(h.Latencies.P99 <= goalP99))
			p("  GOAL no error, no 5xx: %d not 200 (%d 5xx, %d errors), %s", bad, fiveXX, len(h.Errors), verdict(bad == 0 && len(h.Errors) == 0))
		}
		allSockets := x.Reps.Opened == r.Reps && x.Screens.Opened == r.Screens
		p("  GOAL every socket gets its snapshot: %d of %d, %s", x.Reps.Opened+x.Screens.Opened, r.Reps+r.Screens, verdict(allSockets))
	}
	if x := r.Rounds; x != nil && len(x.Ratios) > 0 {
		p("")
		p("Leaderboard (?limit=50, one token) against /healthz: vegeta -rate=0 -max-workers=%d, %s each, alternating", x.Workers, x.Round)
		p("  the board read: %d rows of %d, %d bytes", x.BoardRows, x.BoardTotal, x.BoardBytes)
		for i := range x.Leaderboard {
			l, h := x.Leaderboard[i], x.Healthz[i]
			p("  round %d: leaderboard %6.0f/s (p99 %5.1f ms, server %.2f cores, codes %v)   /healthz %6.0f/s (p99 %5.1f ms, server %.2f cores)   ratio %.2f",
				l.Round, l.OKPerSec, l.P99ms, l.ServerCores, l.Status, h.OKPerSec, h.P99ms, h.ServerCores, x.Ratios[i])
		}
		p("  medians: leaderboard %.0f/s, /healthz %.0f/s, ratio %.2f", x.MedianLeaderboard, x.MedianHealthz, x.MedianRatio)
		p("  GOAL leaderboard >= %.1fx /healthz: %.2f, %s", goalRatio, x.MedianRatio, verdict(x.MedianRatio >= goalRatio))
		if x.Profile != "" {
			p("  server CPU profile of round 1's leaderboard: %s (go tool pprof -top %s)", x.Profile, x.Profile)
		}
	}
	p("")
	p("Events: %d produced (%d failed), %d committed by the consumer %.1f s after the producer stopped", r.Produced, r.ProduceFailed, r.Applied, r.DrainSeconds)
	p("vegeta's targets and results and the children's logs: %s", r.Dir)
}
