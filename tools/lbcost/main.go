// Command lbcost measures what one leaderboard read costs the server against /healthz, measured
// the same way in the same run (docs/benchmarks.md "Morning rush", "What limits it"): the
// server's CPU microseconds per request and its Redis round trips per request.
//
// The server runs in this process on a scratch schema and Redis prefix of the services in
// BULLPEN_DATABASE_URL and BULLPEN_REDIS_URL, with one contest of -reps reps and a per-token
// limit that refuses nothing (it still counts every request). The load runs in a child process
// (this program again, -role client), so this process's CPU time is the server's alone; a go-redis
// hook on the server's client counts its round trips (a pipeline is one). The paths are read in
// alternating rounds so that the machine's other work weighs on both alike.
//
//	lbcost [-reps 200] [-rounds 6] [-requests 3000] [-workers 4]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	httpapi "bullpen/internal/http"
	"bullpen/internal/ingest"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/tools/internal/bench"
)

const adminSecret = "lbcost-admin-token-0123456789"

func main() {
	role := flag.String("role", "", "client: the load child (internal)")
	url := flag.String("url", "", "client: the URL to read")
	reps := flag.Int("reps", 200, "reps on the board")
	rounds := flag.Int("rounds", 6, "rounds of each path")
	requests := flag.Int("requests", 3000, "requests per round")
	workers := flag.Int("workers", 4, "concurrent requests")
	flag.Parse()
	if *role == "client" {
		if err := load(*url, *requests, *workers); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(*reps, *rounds, *requests, *workers); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// roundTrips counts the commands and pipelines a client sends.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *roundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

func run(reps, rounds, requests, workers int) error {
	ctx := context.Background()
	sc, err := postgres.NewScratch(ctx, os.Getenv("BULLPEN_DATABASE_URL"), "lbc_")
	if sc != nil {
		defer func() { _ = sc.Drop(context.Background()) }()
	}
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, sc.URL(""))
	if err != nil {
		return err
	}
	defer db.Close()
	prefix := bench.Name("lbc-")
	store, err := redis.Open(ctx, os.Getenv("BULLPEN_REDIS_URL"), prefix)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	id, err := seed(ctx, db, store, reps)
	if err != nil {
		return err
	}
	rt := &roundTrips{}
	store.Client().AddHook(rt)

	srv := httpapi.New(app.APIDeps(httpapi.Deps{AdminToken: adminSecret, Currency: "USD",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limits: httpapi.Limits{PerToken: bullpen.Rate{Count: 1_000_000, Per: time.Second}}}, db, store))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln, 5*time.Second) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	paths := []struct{ name, url string }{
		{"/healthz", base + "/healthz"},
		{"leaderboard?limit=50", base + "/api/v1/contests/" + id + "/leaderboard?limit=50"},
	}
	// Warm up both (connections, caches, the board notices).
	for _, p := range paths {
		if err := child(p.url, 500, workers); err != nil {
			return err
		}
	}
	cpu := make([]time.Duration, len(paths))
	trips := make([]int64, len(paths))
	for range rounds {
		for i, p := range paths {
			runtime.GC()
			c0, r0 := cpuTime(), rt.n.Load()
			if err := child(p.url, requests, workers); err != nil {
				return err
			}
			cpu[i] += cpuTime() - c0
			trips[i] += rt.n.Load() - r0
		}
	}
	n := float64(rounds * requests)
	fmt.Printf("%d reps on the board; %d rounds of %d requests per path, %d workers, GOMAXPROCS %d, %s\n",
		reps, rounds, requests, workers, runtime.GOMAXPROCS(0), time.Now().Format(time.DateOnly))
	us := make([]float64, len(paths))
	for i, p := range paths {
		us[i] = float64(cpu[i].Microseconds()) / n
		fmt.Printf("  %-22s %7.1f µs CPU/request  %6.3f Redis round trips/request\n", p.name, us[i], float64(trips[i])/n)
	}
	fmt.Printf("  leaderboard/healthz CPU ratio %.2f\n", us[1]/us[0])
	return nil
}

// seed stores one live contest and a board of reps named in the directory.
func seed(ctx context.Context, db *postgres.DB, store *redis.Store, reps int) (string, error) {
	start := time.Now().Add(-24 * time.Hour).Truncate(time.Hour)
	end := start.Add(30 * 24 * time.Hour)
	ids, err := bench.StoreContests(ctx, db, []contest.Contest{{Name: "Morning revenue", Metric: contest.MetricRevenue,
		Scope: contest.ScopeRep, StartsAt: start, EndsAt: &end, Timezone: "UTC", Period: contest.PeriodNone}}, "lbcost")
	if err != nil {
		return "", err
	}
	repIDs, names, teams := make([]string, reps), make([]string, reps), make([]string, reps)
	rows := make([]ingest.Row, reps)
	for i := range reps {
		repIDs[i], names[i], teams[i] = "rep-"+strconv.Itoa(i), "Rep Number "+strconv.Itoa(i), "team-"+strconv.Itoa(i%10)
		rows[i] = ingest.Row{BoardKey: ingest.BoardKey{ContestID: ids[0], PeriodKey: "all", Entrant: repIDs[i]},
			Score: bullpen.Fixed(int64(1000+i) * 100), ReachedAt: start, Version: 1}
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO reps (rep_id, name, team_id)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, repIDs, names, teams); err != nil {
		return "", err
	}
	return ids[0], store.SetRows(ctx, rows)
}

// cpuTime is this process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// child runs the load in a process of its own and waits for it.
func child(url string, requests, workers int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "-role", "client", "-url", url, "-requests", strconv.Itoa(requests), "-workers", strconv.Itoa(workers))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// load sends requests GETs of url from workers keep-alive connections; any answer but 200 fails.
func load(url string, requests, workers int) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(requests) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+adminSecret)
				res, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("%s: %d", url, res.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
