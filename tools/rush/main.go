// Command rush is the morning rush (docs/benchmarks.md, ## Morning rush): 3,000 reps open their
// page within 10 s (GET /api/v1/me, GET /api/v1/reps/{id}, and a socket: auth, subscribe to
// their rep channel and a contest, snapshot) while 200 wall screens connect (floor and a
// contest board) and 2,000 events a second flow through Kafka. Then, in the same run, vegeta
// at its maximum rate with 50 workers alternates between a contest's leaderboard (?limit=50)
// and /healthz, to compare the two.
//
// It runs the real server and consumer as processes of its own (this program again with -role,
// tools/internal/child), on a schema, Redis prefix, topic and consumer group of its own, all
// removed at the end. The HTTP load is vegeta's (`make rush` installs it); the sockets' time
// to snapshot is measured here.
//
//	make rush                     # or: make build && eval "$(scripts/services.sh up)" && bin/rush
//	bin/rush -reps 300 -screens 20 -rounds 1 -round 5s    # a small one
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"bullpen/tools/internal/child"
)

type options struct {
	role                 string
	reps, screens, teams int
	window, warmup       time.Duration
	eventRate            int
	rounds, workers      int
	round                time.Duration
	rateLimit            string
	profile              string
	rushProfile          string
	rushAllocs           string
	consumerProfile      string
	analyze              bool
	rushGoroutines       string
	vegeta, dir, jsonOut string
	partitions           int
	loadNice             int
	floor                bool
	mornings             int
}

func main() {
	var o options
	fs := flag.NewFlagSet("rush", flag.ExitOnError)
	fs.StringVar(&o.role, "role", "", "internal: run as the server or consumer child")
	fs.IntVar(&o.reps, "reps", 3000, "reps opening their page (each: GET /me, GET /reps/{id}, a socket)")
	fs.IntVar(&o.screens, "screens", 200, "wall screens connecting (each: a socket on floor and a contest)")
	fs.IntVar(&o.teams, "teams", 30, "teams the reps are in")
	fs.DurationVar(&o.window, "window", 10*time.Second, "the rush: every rep and screen arrives within it, evenly spread")
	fs.IntVar(&o.eventRate, "events", 2000, "events per second produced to Kafka from the warm-up to the end")
	fs.DurationVar(&o.warmup, "warmup", 10*time.Second, "events flowing before the rush, so boards and balances have content")
	fs.IntVar(&o.rounds, "rounds", 3, "leaderboard and /healthz rounds (alternating, leaderboard first)")
	fs.DurationVar(&o.round, "round", 10*time.Second, "length of one round")
	fs.IntVar(&o.workers, "workers", 50, "vegeta's workers in the rounds (-rate=0 -max-workers=N)")
	fs.StringVar(&o.rateLimit, "rate-limit", "100000/s", "the server's BULLPEN_RATE_LIMIT: the limiter counts every request (its Redis round trip is in the figures) but must not refuse the one token of the rounds' workers")
	fs.StringVar(&o.profile, "profile", "", "save the server's CPU profile of the first leaderboard round to this file")
	fs.StringVar(&o.rushProfile, "rush-profile", "", "save the server's CPU profile of the rush (its window) to this file")
	fs.BoolVar(&o.analyze, "analyze", true, "gather the planner's statistics of the run's tables after the warm-up, as autovacuum has on a floor's database (false: the plans made while the tables were empty stay)")
	fs.StringVar(&o.rushAllocs, "rush-allocs", "", "save the server's heap profiles at both ends of the rush's window to this file and FILE.start, each after a collection it forces (the difference is what the window allocated, which sets how often the GC runs; the forced collections make that run's latencies unrepresentative)")
	fs.StringVar(&o.consumerProfile, "consumer-profile", "", "save the consumer's CPU profile of the rush (its window) to this file")
	fs.StringVar(&o.rushGoroutines, "rush-goroutines", "", "save the server's goroutines (pprof, counted by stack) at a quarter, half and three quarters of the rush to this file's name with .1, .2, .3 added: where requests wait")
	fs.StringVar(&o.vegeta, "vegeta", "", "the vegeta binary (default: on PATH, in GOBIN or GOPATH/bin)")
	fs.StringVar(&o.dir, "dir", "", "where vegeta's targets and results and the children's logs go (default: a new temporary directory)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the report as JSON to this file")
	fs.IntVar(&o.partitions, "partitions", 6, "partitions of the run's topic")
	fs.IntVar(&o.loadNice, "load-nice", 0, "once the server and consumer run, lower this program's own priority (and so vegeta's) to this nice value: the load (sockets, producer, vegeta) then takes the CPU the system under test leaves, the nearest this one machine comes to load from other machines")
	fs.BoolVar(&o.floor, "floor", false, "the machine's floor: every rep's two requests go to /healthz instead (same rate, same sockets, same events), so the HTTP p99 is what a request that reads nothing waits in the same rush; the API goals do not apply")
	fs.IntVar(&o.mornings, "mornings", 1, "play the rush this many times, each a fresh morning next to a run of its floor (-floor), and judge the API's p99 by the median of the mornings (one run's p99 on a shared machine moves by a factor of two from one run to the next), and the leaderboard against /healthz by the median of every morning's rounds; the profiles are the first morning's, each run's whole report is in its directory's report.txt")
	_ = fs.Parse(os.Args[1:])
	if o.role == "producer" {
		os.Exit(runProducer())
	}
	if o.role != "" {
		code, ok := child.Run(o.role)
		if !ok {
			fmt.Fprintln(os.Stderr, "unknown role", o.role)
			code = 2
		}
		os.Exit(code)
	}
	ctx, stop := child.SignalContext()
	defer stop()
	if o.mornings > 1 {
		os.Exit(mainMornings(ctx, o))
	}
	rep, err := run(ctx, o)
	if rep != nil {
		rep.print(os.Stdout)
		if o.jsonOut != "" {
			b, _ := json.MarshalIndent(rep, "", "  ")
			err = errors.Join(err, os.WriteFile(o.jsonOut, append(b, '\n'), 0o644))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rush:", err)
		os.Exit(1)
	}
}

// mainMornings plays -mornings and returns the exit code.
func mainMornings(ctx context.Context, o options) int {
	if o.floor {
		fmt.Fprintln(os.Stderr, "rush: -mornings plays each morning's floor itself; leave -floor out")
		return 2
	}
	s, err := runMornings(ctx, o)
	s.print(os.Stdout, o.mornings)
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(s, "", "  ")
		err = errors.Join(err, os.WriteFile(o.jsonOut, append(b, '\n'), 0o644))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rush:", err)
		return 1
	}
	return 0
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, a...)...)
}

// The rush's endpoints, as the report names them.
const (
	endpointMe  = "GET /api/v1/me"
	endpointRep = "GET /api/v1/reps/{id}"
	endpointOK  = "GET /healthz"
)

// rushRoutes are the rush's endpoints by the route patterns the server's histogram names.
var rushRoutes = map[string]string{"GET /api/v1/me": endpointMe, "GET /api/v1/reps/:id": endpointRep}

// endpointOf names the endpoint of a URL of the rush's requests.
func endpointOf(url string) string {
	_, path, _ := strings.Cut(strings.TrimPrefix(url, "http://"), "/")
	switch {
	case path == "api/v1/me":
		return endpointMe
	case strings.HasPrefix(path, "api/v1/reps/"):
		return endpointRep
	case path == "healthz":
		return endpointOK
	}
	return ""
}
