package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"bullpen/tools/internal/child"
	"bullpen/tools/internal/kafkaadmin"
	"bullpen/tools/internal/procstat"
)

// rushResult is the rush: the HTTP part (vegeta), the sockets, and what the machine did.
type rushResult struct {
	Seconds   float64 // from the first request to the last socket's snapshot
	HTTP      vegetaReport
	Endpoints map[string]*endpointStats
	Reps      socketStats // the reps' sockets: rep:{id} and a contest
	Screens   socketStats // the screens': floor and a contest
	// Events the consumer committed during the rush, per second, and how far behind it was at
	// the end.
	AppliedPerSec float64
	LagAtEnd      int64
	CPU           cpuUse
	// The server's own time for the requests (its request duration histogram), by endpoint.
	Server map[string]serverLatency `json:",omitempty"`
}

// cpuUse is cores used (1.0 = one core busy) between two moments.
type cpuUse struct {
	Server, Consumer, Machine, Cores float64
	// Redis is the Redis server's own CPU time (the process listening on its URL's port, as
	// for the other tools): the run's Redis, with whatever else uses it meanwhile
	// (redisUnknown: it could not be read).
	Redis float64
	// Load is this program (its sockets' clients) and the children it reaped meanwhile
	// (vegeta): the share of the machine the load itself took.
	Load float64
}

type cpuMark struct {
	at                                         time.Time
	server, consumer, redis, load, busy, total float64
}

func markCPU(st *stack) cpuMark {
	m := cpuMark{at: time.Now()}
	m.server, _, _ = procstat.Times(st.server)
	m.consumer, _, _ = procstat.Times(st.consumer)
	m.redis, _, _ = procstat.Times(st.redis) // 0 when pid 0 or gone
	self, reaped, _ := procstat.Times(os.Getpid())
	m.load = self + reaped
	m.busy, m.total = procstat.Machine()
	return m
}

func cpuBetween(a, b cpuMark) cpuUse {
	sec := b.at.Sub(a.at).Seconds()
	redis := redisUnknown
	if a.redis > 0 && b.redis > 0 {
		redis = (b.redis - a.redis) / sec
	}
	return cpuUse{Server: (b.server - a.server) / sec, Consumer: (b.consumer - a.consumer) / sec,
		Machine: (b.busy - a.busy) / sec, Cores: (b.total - a.total) / sec, Load: (b.load - a.load) / sec,
		Redis: redis}
}

// redisUnknown is cpuUse.Redis when Redis's CPU could not be read at either end.
const redisUnknown = -1.0

// plans lays out the sockets: the screens spread evenly among the reps, each rep on its own
// channel and a contest, each screen on the floor and a contest, contests taken in turn.
func plans(fl *floor) []socketPlan {
	n := len(fl.repTok) + len(fl.screens)
	out := make([]socketPlan, 0, n)
	r, s := 0, 0
	for k := range n {
		contest := "contest:" + fl.contests[k%len(fl.contests)]
		if len(fl.screens) > 0 && (k+1)*len(fl.screens)/n > k*len(fl.screens)/n {
			out = append(out, socketPlan{token: fl.screens[s], channels: [2]string{"floor", contest}, screen: true})
			s++
			continue
		}
		out = append(out, socketPlan{token: fl.repTok[r], channels: [2]string{"rep:" + fl.reps[r].ID, contest}})
		r++
	}
	return out
}

// rush sends every rep's two requests (vegeta, at an even rate over the window) while the
// sockets open, evenly over the same window.
func rush(ctx context.Context, o options, veg vegeta, st *stack, fl *floor, admin *kafkaadmin.Admin, topic, group string) (*rushResult, error) {
	res := &rushResult{}
	ts := make([]target, 0, 2*len(fl.reps))
	for i, r := range fl.reps {
		me, page := st.base+"/api/v1/me", st.base+"/api/v1/reps/"+r.ID
		if o.floor {
			me, page = st.base+"/healthz", st.base+"/healthz"
		}
		ts = append(ts, target{url: me, token: fl.repTok[i]}, target{url: page, token: fl.repTok[i]})
	}
	socks := &sockets{}
	defer socks.closeAll()
	c0, _ := admin.Committed(ctx, group, topic, o.partitions)
	served0, err := scrapeDurations(ctx, st.base)
	if err != nil {
		logf("rush: %v (the server's own times are left out)", err)
	}
	cpu0 := markCPU(st)
	logf("rush: %d reps (%d requests) and %d screens within %v", len(fl.reps), len(ts), len(fl.screens), o.window)
	var results string
	var attackErr error
	var wg sync.WaitGroup
	for _, p := range []struct{ who, addr, out string }{
		{"server", st.debugAddr, o.rushProfile}, {"consumer", st.consumerDebug, o.consumerProfile}} {
		if p.out == "" || o.window < time.Second {
			continue
		}
		wg.Go(func() {
			if err := child.FetchProfile(p.addr, o.window, p.out); err != nil {
				logf("rush: %s profile: %v", p.who, err)
				return
			}
			logf("rush: %s CPU profile in %s", p.who, p.out)
		})
	}
	if o.rushAllocs != "" {
		// The allocation counts a profile gives are those of the last
		// collection, so each end forces one: the difference is the window's.
		if err := child.Fetch(st.debugAddr, "/debug/pprof/heap?gc=1", 30*time.Second, o.rushAllocs+".start"); err != nil {
			logf("rush: server allocations: %v", err)
		}
	}
	if o.rushGoroutines != "" {
		wg.Go(func() {
			for i := 1; i <= 3; i++ {
				if child.Sleep(ctx, o.window/4) != nil {
					return
				}
				out := fmt.Sprintf("%s.%d", o.rushGoroutines, i)
				if err := child.Fetch(st.debugAddr, "/debug/pprof/goroutine?debug=1", 10*time.Second, out); err != nil {
					logf("rush goroutines: %v", err)
					continue
				}
				logf("rush: server goroutines in %s", out)
			}
		})
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		results, attackErr = veg.attack(ctx, "rush", ts, "-rate", fmt.Sprintf("%d/%s", len(ts), o.window), "-duration", o.window.String())
	}()
	opened := socks.openSpread(ctx, "ws"+strings.TrimPrefix(st.base, "http")+"/ws", plans(fl), o.window)
	wg.Wait()
	cpu1 := markCPU(st)
	if o.rushAllocs != "" {
		if err := child.Fetch(st.debugAddr, "/debug/pprof/heap?gc=1", 30*time.Second, o.rushAllocs); err != nil {
			logf("rush: server allocations: %v", err)
		} else {
			logf("rush: server allocations of the window: go tool pprof -sample_index=alloc_space -base %s.start %s", o.rushAllocs, o.rushAllocs)
		}
	}
	res.Seconds = cpu1.at.Sub(cpu0.at).Seconds()
	res.CPU = cpuBetween(cpu0, cpu1)
	if served1, err := scrapeDurations(ctx, st.base); err == nil && served0 != nil {
		res.Server = serverLatencies(served0, served1, rushRoutes, goalP99)
	}
	c1, _ := admin.Committed(ctx, group, topic, o.partitions)
	end, _ := admin.EndOffsets(ctx, topic, o.partitions)
	res.AppliedPerSec, res.LagAtEnd = float64(c1-c0)/res.Seconds, end-c1
	if attackErr != nil {
		return res, attackErr
	}
	res.Reps, res.Screens = summarize(opened, false), summarize(opened, true)
	if res.HTTP, err = veg.report(ctx, results); err != nil {
		return res, err
	}
	if res.Endpoints, err = veg.byEndpoint(ctx, results, endpointOf); err != nil {
		return res, err
	}
	logf("rush: HTTP p99 %v, success %.4f; sockets with snapshots: reps %d of %d (p99 %.0f ms), screens %d of %d (p99 %.0f ms)",
		res.HTTP.Latencies.P99, res.HTTP.Success, res.Reps.Opened, len(fl.reps), res.Reps.SnapshotP99ms,
		res.Screens.Opened, len(fl.screens), res.Screens.SnapshotP99ms)
	return res, nil
}

// roundResult is one round of vegeta at its maximum rate on one URL.
type roundResult struct {
	Round                     int
	Endpoint                  string
	RequestsPerSec, OKPerSec  float64 // vegeta's rate and throughput (successful requests/s)
	P50ms, P99ms              float64
	Status                    map[string]int
	Errors                    []string `json:",omitempty"`
	ServerCores, MachineCores float64
}

// roundsResult compares the leaderboard with /healthz, round by round.
type roundsResult struct {
	Workers                    int
	Round                      string
	Leaderboard, Healthz       []roundResult
	Ratios                     []float64 // leaderboard ÷ /healthz successful requests/s, per round
	MedianLeaderboard          float64
	MedianHealthz, MedianRatio float64
	Profile                    string `json:",omitempty"`
	// The board read, before the rounds: its rows, the board's size, the body's bytes.
	BoardRows, BoardTotal, BoardBytes int
}

// peek reads the board once, so the report says what the rounds read.
func peek(ctx context.Context, t target, out *roundsResult) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+t.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s %s", t.url, res.Status, b)
	}
	var st struct {
		Total   int               `json:"total"`
		Entries []json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return err
	}
	out.BoardRows, out.BoardTotal, out.BoardBytes = len(st.Entries), st.Total, len(b)
	return nil
}

// rounds alternates vegeta at its maximum rate with o.workers workers on the leaderboard and on
// /healthz, leaderboard first, o.rounds times.
func rounds(ctx context.Context, o options, veg vegeta, st *stack, lb target) (*roundsResult, error) {
	out := &roundsResult{Workers: o.workers, Round: o.round.String()}
	if o.rounds == 0 {
		return out, nil
	}
	hz := target{url: st.base + "/healthz"}
	if err := peek(ctx, lb, out); err != nil {
		return out, err
	}
	one := func(i int, name string, t target) (roundResult, error) {
		var profWG sync.WaitGroup
		if i == 1 && name == "leaderboard" && o.profile != "" && o.round >= 3*time.Second {
			profWG.Add(1)
			go func() {
				defer profWG.Done()
				if err := child.FetchProfile(st.debugAddr, o.round-2*time.Second, o.profile); err != nil {
					logf("profile: %v", err)
					return
				}
				out.Profile = o.profile
			}()
		}
		c0 := markCPU(st)
		results, err := veg.attack(ctx, fmt.Sprintf("%s-%d", name, i), []target{t},
			"-rate=0", fmt.Sprintf("-max-workers=%d", o.workers), "-duration", o.round.String())
		c1 := markCPU(st)
		profWG.Wait()
		if err != nil {
			return roundResult{}, err
		}
		rep, err := veg.report(ctx, results)
		if err != nil {
			return roundResult{}, err
		}
		use := cpuBetween(c0, c1)
		r := roundResult{Round: i, Endpoint: name, RequestsPerSec: rep.Rate, OKPerSec: rep.Throughput,
			P50ms: ms(rep.Latencies.P50), P99ms: ms(rep.Latencies.P99), Status: rep.StatusCodes, Errors: first(rep.Errors, 5),
			ServerCores: use.Server, MachineCores: use.Machine}
		logf("round %d %s: %.0f requests/s (%.0f successful), p50 %.1f ms, p99 %.1f ms, codes %v; server %.2f cores, machine %.2f",
			i, name, r.RequestsPerSec, r.OKPerSec, r.P50ms, r.P99ms, r.Status, r.ServerCores, r.MachineCores)
		return r, nil
	}
	for i := 1; i <= o.rounds; i++ {
		l, err := one(i, "leaderboard", lb)
		if err != nil {
			return out, err
		}
		h, err := one(i, "healthz", hz)
		if err != nil {
			return out, err
		}
		out.Leaderboard, out.Healthz = append(out.Leaderboard, l), append(out.Healthz, h)
		out.Ratios = append(out.Ratios, l.OKPerSec/h.OKPerSec)
	}
	okRate := func(rs []roundResult) []float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = r.OKPerSec
		}
		return v
	}
	out.MedianLeaderboard, out.MedianHealthz = median(okRate(out.Leaderboard)), median(okRate(out.Healthz))
	out.MedianRatio = median(out.Ratios)
	return out, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func first(s []string, n int) []string {
	return s[:min(n, len(s))]
}
