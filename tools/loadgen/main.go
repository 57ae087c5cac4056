// Command loadgen measures the WebSocket fan-out: it produces timestamped events into Kafka at
// a fixed rate, runs the real consumer and one server as processes of their own (this program
// re-executed with -role, so /proc tells their CPU and memory apart), opens many WebSocket
// viewers, each watching one contest and the floor, and reports event-to-message latency,
// messages delivered per second, gaps, server memory per socket and CPU by process; with
// -storm, it then closes every socket and reconnects them all with since/epoch.
//
//	eval "$(scripts/services.sh up)"
//	go build -o bin/loadgen ./tools/loadgen && bin/loadgen -clients 10000 -duration 60s -storm
//
// Everything it creates (schema, Redis prefix, topic, group) is removed at the end. See
// docs/benchmarks.md (## WebSocket fan-out).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/child"
	"bullpen/tools/internal/kafkaadmin"
	"bullpen/tools/internal/procstat"
)

type options struct {
	reader                    string
	role                      string
	clients, rate, wonRate    int
	contests, reps, sourceIPs int
	duration, warmup          time.Duration
	storm                     bool
	connectConcurrency        int
	profile                   time.Duration
	profileOut, logDir        string
	jsonOut                   string
	probes                    int
}

func main() {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ExitOnError)
	fs.StringVar(&o.role, "role", "", "internal: run as the server or consumer child")
	fs.IntVar(&o.clients, "clients", 1000, "WebSocket viewers (each watches one contest and floor)")
	fs.IntVar(&o.rate, "rate", 2000, "events per second produced")
	fs.IntVar(&o.wonRate, "won-rate", 20, "of which deal.won per second")
	fs.IntVar(&o.contests, "contests", 10, "live contests (every event counts in every one)")
	fs.IntVar(&o.reps, "reps", 200, "reps the events are spread over")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "measured window, once every viewer is subscribed")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "load before the measured window")
	fs.BoolVar(&o.storm, "storm", false, "after the window: close every socket and reconnect all with since/epoch")
	fs.IntVar(&o.sourceIPs, "source-ips", 4, "local source addresses 127.0.0.1..127.0.0.N for the viewers")
	fs.IntVar(&o.connectConcurrency, "connect-concurrency", 500, "connects in flight at once")
	fs.DurationVar(&o.profile, "profile", 20*time.Second, "server CPU profile taken in the window (0: none)")
	fs.StringVar(&o.profileOut, "profile-out", "loadgen-server.pprof", "where the server's CPU profile goes")
	fs.StringVar(&o.logDir, "log-dir", os.TempDir(), "where the children's logs go")
	fs.StringVar(&o.jsonOut, "json", "", "also write the report as JSON to this file")
	fs.BoolVar(&ownSessions, "sessions", false, "run each child (server, consumer, producer, probes) in a session of its own: with autogroup scheduling, a CPU group of its own")
	fs.StringVar(&o.reader, "reader", "poll", "how the viewers' process reads its sockets: poll (epoll, a thread per core, poll_linux.go) or goroutine (one per socket, through the WebSocket library)")
	fs.IntVar(&o.probes, "probes", 100, "of the viewers, how many run in a process of their own and time every message (probe.go); at most half")
	_ = fs.Parse(os.Args[1:])
	if o.role != "" {
		os.Exit(runChild(o.role))
	}
	ctx, stop := child.SignalContext()
	defer stop()
	rep, err := run(ctx, o)
	if rep != nil {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Println(string(b))
		if o.jsonOut != "" {
			err = errors.Join(err, os.WriteFile(o.jsonOut, append(b, '\n'), 0o644))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type memReport struct {
	RSSBeforeMB, RSSAfterMB         float64
	HeapInuseBeforeMB, HeapAfterMB  float64
	RSSPerSocketKB, HeapPerSocketKB float64
	// After a forced collection (once every viewer subscribed): what a socket really holds.
	RSSAfterGCMB        float64
	LiveHeapPerSocketKB float64 // HeapAlloc
	StackPerSocketKB    float64 // goroutine stacks
	GoroutinesBefore    int
	GoroutinesAfter     int
	GoroutinesPerSocket float64
}

type stormReport struct {
	Clients, Connected, DialErrors  int
	Seconds                         float64
	Resumed, Snapshots, Unrecovered int64
	XactCommitDuring                int64
	XactPerSecBaseline              float64
	XactAttributable                float64
	// Index and sequential scans of the run's own tables (its schema: no other session's
	// queries count), during the storm, minus the rate of the 5 s before it, by table.
	ScansDuring       map[string]int64
	ScansAttributable map[string]float64
	// One reconnect's phases, p50 / p99 in ms: dial (TCP and upgrade), auth (to the welcome),
	// subscribe (to both channels answered).
	DialP50ms, DialP99ms, AuthP50ms, AuthP99ms, SubscribeP50ms, SubscribeP99ms float64
	GapsAfter                                                                  int64
}

type report struct {
	Command                  string
	Started                  time.Time
	CPUs                     int
	LoadAvgStart             string
	Clients                  int
	Connected                int
	ConnectSeconds           float64
	Rate, WonRate            int
	Produced, Won            int64
	LateTicks                int64
	WindowSeconds            float64
	Messages                 int64
	MessagesPerSec           float64
	FramesPerSec             float64
	MBPerSec                 float64
	Celebrations             int64
	Updates                  int64
	NoticeP50ms              float64 // event to the Redis notice of its celebration (ingest's share)
	NoticeP99ms              float64
	NoticeSamples            int64
	FanoutP50ms              float64 // the celebration's Redis notice to a viewer's frame (the server's share)
	FanoutP99ms              float64
	FanoutSamples            int64
	CelebrationP50ms         float64
	CelebrationP99ms         float64
	CelebrationMaxBucketOver int64
	CelebrationSamples       int64
	UpdateP50ms              float64
	UpdateP99ms              float64
	UpdateSamples            int64
	// The probes' figures (probe.go): the latency as a viewer that reads at once sees it.
	Probes                           *probeStats `json:",omitempty"`
	Sessions                         bool
	ProduceAckP50ms, ProduceAckP99ms float64 // a write's send time to the broker's acknowledgement
	Gaps, GapMessages                int64
	UnknownWon                       int64
	Closes                           map[string]int64
	Memory                           memReport
	CPU                              cpuShare
	Profile                          string       `json:",omitempty"`
	Storm                            *stormReport `json:",omitempty"`
	LoadAvgEnd                       string
}

func portOf(hostport string) int {
	_, p, _ := net.SplitHostPort(hostport)
	n, _ := strconv.Atoi(p)
	return n
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, a...)...)
}

func run(ctx context.Context, o options) (rep *report, err error) {
	nofile := child.RaiseNoFile()
	if uint64(o.clients)+200 > nofile {
		return nil, fmt.Errorf("%d clients need more open files than the limit %d", o.clients, nofile)
	}
	cfg, err := config.Load("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rep = &report{Command: fmt.Sprint(os.Args), Started: time.Now().UTC(), CPUs: runtime.NumCPU(),
		LoadAvgStart: procstat.LoadAvg(), Clients: o.clients, Rate: o.rate, WonRate: o.wonRate, Sessions: ownSessions}

	// Setup: schema, contests, token, topic.
	sch, err := postgres.NewScratch(ctx, cfg.DatabaseURL, "loadgen_")
	if sch != nil {
		defer func() { _ = sch.Drop(context.WithoutCancel(ctx)) }()
	}
	if err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, sch.URL("loadgen"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	contestIDs, err := bench.StoreContests(ctx, db, loadContests(o.contests, time.Now()), "loadgen")
	if err != nil {
		return nil, err
	}
	token, err := mintDisplayToken(ctx, db)
	if err != nil {
		return nil, err
	}
	topic, prefix, group := bench.Name("loadgen-"), bench.Name("loadgen"), bench.Name("loadgen-")
	admin := kafkaadmin.New(cfg.KafkaBrokers)
	if err := admin.CreateTopics(ctx, 6, topic, topic+".dlq"); err != nil {
		return nil, err
	}
	defer cleanup(context.WithoutCancel(ctx), admin, group, topic, topic+".dlq")
	store, err := redis.Open(ctx, cfg.RedisURL, prefix)
	if err != nil {
		return nil, err
	}
	defer func() { _ = store.Flush(context.WithoutCancel(ctx)); _ = store.Close() }()

	// Children.
	httpPort, err := child.FreePort()
	if err != nil {
		return nil, err
	}
	dbgPort, err := child.FreePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(httpPort)
	debugAddr := "127.0.0.1:" + strconv.Itoa(dbgPort)
	adminToken := bench.Name("loadgen-admin-") + bench.Name("")
	common := []string{"BULLPEN_REDIS_PREFIX=" + prefix, "BULLPEN_KAFKA_TOPIC=" + topic,
		"BULLPEN_KAFKA_DLQ_TOPIC=" + topic + ".dlq", "BULLPEN_KAFKA_GROUP=" + group,
		"BULLPEN_ADMIN_TOKEN=" + adminToken, "BULLPEN_KAFKA_SESSION_TIMEOUT=6s", "BULLPEN_LOG_LEVEL=warn"}
	consumer, err := startChild("consumer", append(common, "BULLPEN_DATABASE_URL="+sch.URL("loadgen-consumer")),
		o.logDir+"/loadgen-consumer.log")
	if err != nil {
		return rep, err
	}
	defer child.Stop(consumer)
	server, err := startChild("server", append(common, "BULLPEN_DATABASE_URL="+sch.URL("loadgen-server"),
		"BULLPEN_HTTP_ADDR="+addr, child.DebugAddrEnv+"="+debugAddr, child.FineHeapEnv+"=1"), o.logDir+"/loadgen-server.log")
	if err != nil {
		return rep, err
	}
	defer child.Stop(server)
	if err := child.WaitReady(ctx, "http://"+addr+"/readyz", server); err != nil {
		return rep, err
	}
	pgPort := int(db.Pool.Config().ConnConfig.Port)
	pt := parties{self: os.Getpid(), server: server.Process.Pid, consumer: consumer.Process.Pid,
		postmaster: procstat.ListenerPID(pgPort), kafka: procstat.ListenerPID(portOf(cfg.KafkaBrokers[0])), redis: procstat.URLListenerPID(cfg.RedisURL, 6379)}
	logf("server pid %d on %s, consumer pid %d, postgres %d, kafka %d, redis %d", pt.server, addr, pt.consumer, pt.postmaster, pt.kafka, pt.redis)

	// Producer: a process of its own, as the CRM would be.
	start := time.Now()
	prod, err := startCommanded("producer", append(common, "LOADGEN_RATE="+strconv.Itoa(o.rate), "LOADGEN_WON_RATE="+strconv.Itoa(o.wonRate),
		"LOADGEN_REPS="+strconv.Itoa(o.reps)), o.logDir+"/loadgen-producer.log")
	if err != nil {
		return rep, err
	}
	defer prod.stop()
	pt.producer = prod.cmd.Process.Pid
	o.probes = min(o.probes, o.clients/2)
	var probe *childProc
	if o.probes > 0 {
		probe, err = startCommanded("probe", append(common, "LOADGEN_START="+strconv.FormatInt(start.UnixNano(), 10),
			"LOADGEN_URL=ws://"+addr+"/ws", "LOADGEN_TOKEN="+token, "LOADGEN_CONTESTS="+strings.Join(contestIDs, ","),
			"LOADGEN_NOTICE="+store.NoticeChannel("floor"), "LOADGEN_SOURCE_IPS="+strconv.Itoa(o.sourceIPs)), o.logDir+"/loadgen-probe.log")
		if err != nil {
			return rep, err
		}
		defer probe.stop()
	}
	logf("producing %d events/s (%d deal.won/s); warm-up %v", o.rate, o.wonRate, o.warmup)
	if err := child.Sleep(ctx, o.warmup); err != nil {
		return rep, err
	}

	// Memory before sockets.
	runtime.GC()
	memBefore := serverMem(debugAddr, true)
	rssBefore := vmRSS(pt.server)
	heapBefore, _, _ := serverHeap(debugAddr)

	// Viewers.
	st := &stats{}
	nctx, ncancel := context.WithCancel(ctx)
	defer ncancel()
	seen := &notices{}
	if err := watchNotices(nctx, cfg.RedisURL, store.NoticeChannel("floor"), start, seen, st); err != nil {
		return rep, err
	}
	e := &env{url: "ws://" + addr + "/ws", token: token, dialers: newDialers(o.sourceIPs, false), notices: seen, st: st, start: start}
	switch o.reader {
	case "poll":
		if e.poll, err = newPoller(e); err != nil {
			return rep, err
		}
	case "goroutine":
	default:
		return rep, fmt.Errorf("-reader %q: poll or goroutine", o.reader)
	}
	clients := make([]*client, o.clients-o.probes)
	for i := range clients {
		clients[i] = &client{id: i}
		clients[i].chans[0].name = "contest:" + contestIDs[i%len(contestIDs)]
		clients[i].chans[1].name = "floor"
	}
	t0 := time.Now()
	// A probe joins after every `every` other viewers, so that probes sit all along the
	// server's lists of watchers.
	var askErr atomic.Value
	var asked atomic.Int64
	onConnected := func(int) {}
	if probe != nil {
		every := max(1, len(clients)/o.probes)
		onConnected = func(n int) {
			if n%every == 0 && asked.Add(1) <= int64(o.probes) {
				var ps probeStats
				if err := probe.ask("connect", &ps); err != nil {
					askErr.Store(err)
				}
			}
		}
	}
	connected, dialErrs := connectAll(ctx, e, clients, o.connectConcurrency, onConnected)
	if probe != nil {
		var ps probeStats
		for i := asked.Load(); i < int64(o.probes); i++ { // fewer viewers connected than planned
			if err := probe.ask("connect", &ps); err != nil {
				return rep, err
			}
		}
		if err, _ := askErr.Load().(error); err != nil {
			return rep, err
		}
		if err := probe.ask("wait", &ps); err != nil {
			return rep, err
		}
		logf("%d probes connected (%d failed)", ps.Connected, ps.Failed)
		connected += int(ps.Connected)
	}
	rep.Connected = connected
	rep.ConnectSeconds = time.Since(t0).Seconds()
	logf("%d of %d viewers subscribed in %.1f s (%d failed); per connect p50/p99 dial %.0f/%.0f ms, auth %.0f/%.0f ms, subscribe %.0f/%.0f ms",
		connected, o.clients, rep.ConnectSeconds, dialErrs, st.dial.pct(50), st.dial.pct(99), st.auth.pct(50), st.auth.pct(99),
		st.sub.pct(50), st.sub.pct(99))
	if connected == 0 {
		return rep, errors.New("no viewer could connect")
	}
	if err := child.Sleep(ctx, 3*time.Second); err != nil {
		return rep, err
	}
	rssAfter := vmRSS(pt.server)
	heapAfter, _, _ := serverHeap(debugAddr)
	if o.profile > 0 {
		if err := child.Fetch(debugAddr, "/debug/pprof/heap", 30*time.Second, o.profileOut+".heap"); err != nil {
			logf("heap profile: %v", err)
		}
	}
	memAfter := serverMem(debugAddr, true)
	perSocket := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(connected) / 1024 }
	rep.Memory = memReport{RSSBeforeMB: mb(rssBefore), RSSAfterMB: mb(rssAfter), HeapInuseBeforeMB: mb(heapBefore), HeapAfterMB: mb(heapAfter),
		RSSPerSocketKB: perSocket(rssBefore, rssAfter), HeapPerSocketKB: perSocket(heapBefore, heapAfter),
		RSSAfterGCMB: mb(vmRSS(pt.server)), LiveHeapPerSocketKB: perSocket(memBefore.HeapAlloc, memAfter.HeapAlloc),
		StackPerSocketKB: perSocket(memBefore.StackInuse, memAfter.StackInuse),
		GoroutinesBefore: memBefore.Goroutines, GoroutinesAfter: memAfter.Goroutines,
		GoroutinesPerSocket: float64(memAfter.Goroutines-memBefore.Goroutines) / float64(connected)}
	logf("server memory per socket: RSS %.1f KB, live heap %.1f KB, stacks %.1f KB, %.2f goroutines",
		rep.Memory.RSSPerSocketKB, rep.Memory.LiveHeapPerSocketKB, rep.Memory.StackPerSocketKB, rep.Memory.GoroutinesPerSocket)

	// The measured window.
	st.celebration.reset()
	st.update.reset()
	st.notice.reset()
	st.fanout.reset()
	var ps0, ps1 producerStats
	if err := prod.ask("reset", &ps0); err != nil {
		return rep, err
	}
	m0, f0, b0 := st.msgs.Load(), st.frames.Load(), st.bytes.Load()
	c0, u0, g0, gm0, uw0 := st.celebrations.Load(), st.updates.Load(), st.gaps.Load(), st.gapMsgs.Load(), st.unknownWon.Load()
	e.measured.Store(true)
	if probe != nil {
		var ps probeStats
		if err := probe.ask("start", &ps); err != nil {
			return rep, err
		}
	}
	cpu0 := pt.sample()
	var profWG sync.WaitGroup
	if o.profile > 0 {
		profWG.Add(1)
		go func() {
			defer profWG.Done()
			if err := child.FetchProfile(debugAddr, min(o.profile, o.duration), o.profileOut); err == nil {
				rep.Profile = o.profileOut
			} else {
				logf("profile: %v", err)
			}
		}()
	}
	logf("measuring for %v", o.duration)
	if err := child.Sleep(ctx, o.duration); err != nil {
		return rep, err
	}
	cpu1 := pt.sample()
	e.measured.Store(false)
	if err := prod.ask("stats", &ps1); err != nil {
		return rep, err
	}
	if probe != nil {
		rep.Probes = &probeStats{}
		if err := probe.ask("stop", rep.Probes); err != nil {
			return rep, err
		}
	}
	profWG.Wait()
	sec := cpu1.at.Sub(cpu0.at).Seconds()
	rep.WindowSeconds = sec
	rep.CPU = between(cpu0, cpu1)
	rep.Messages = st.msgs.Load() - m0
	rep.MessagesPerSec = float64(rep.Messages) / sec
	rep.FramesPerSec = float64(st.frames.Load()-f0) / sec
	rep.MBPerSec = float64(st.bytes.Load()-b0) / sec / (1 << 20)
	rep.Celebrations, rep.Updates = st.celebrations.Load()-c0, st.updates.Load()-u0
	rep.Gaps, rep.GapMessages, rep.UnknownWon = st.gaps.Load()-g0, st.gapMsgs.Load()-gm0, st.unknownWon.Load()-uw0
	rep.Produced, rep.Won, rep.LateTicks = ps1.Produced-ps0.Produced, ps1.Won-ps0.Won, ps1.LateTicks
	rep.NoticeP50ms, rep.NoticeP99ms, rep.NoticeSamples = st.notice.pct(50), st.notice.pct(99), st.notice.n.Load()
	rep.FanoutP50ms, rep.FanoutP99ms, rep.FanoutSamples = st.fanout.pct(50), st.fanout.pct(99), st.fanout.n.Load()
	rep.CelebrationP50ms, rep.CelebrationP99ms = st.celebration.pct(50), st.celebration.pct(99)
	rep.CelebrationSamples, rep.CelebrationMaxBucketOver = st.celebration.n.Load(), st.celebration.over.Load()
	rep.UpdateP50ms, rep.UpdateP99ms, rep.UpdateSamples = st.update.pct(50), st.update.pct(99), st.update.n.Load()
	rep.ProduceAckP50ms, rep.ProduceAckP99ms = ps1.AckP50ms, ps1.AckP99ms
	logf("window: %.0f msgs/s, %.0f frames/s; event to notice p50 %.0f ms p99 %.0f ms; notice to frame p50 %.0f ms p99 %.0f ms; celebration p50 %.0f ms p99 %.0f ms, update p99 %.0f ms, gaps %d",
		rep.MessagesPerSec, rep.FramesPerSec, rep.NoticeP50ms, rep.NoticeP99ms, rep.FanoutP50ms, rep.FanoutP99ms,
		rep.CelebrationP50ms, rep.CelebrationP99ms, rep.UpdateP99ms, rep.Gaps)
	logf("produce to acknowledgement p50 %.0f ms p99 %.0f ms", rep.ProduceAckP50ms, rep.ProduceAckP99ms)
	if p := rep.Probes; p != nil {
		logf("probes (%d, reading at once): celebration p50 %.0f ms p99 %.0f ms (at the socket %.0f / %.0f), of which event to notice %.0f / %.0f, notice to frame %.0f / %.0f; update p99 %.0f ms; %d messages, gaps %d",
			p.Connected, p.Celebration.P50ms, p.Celebration.P99ms, p.CelebrationRx.P50ms, p.CelebrationRx.P99ms, p.Notice.P50ms, p.Notice.P99ms,
			p.Fanout.P50ms, p.Fanout.P99ms, p.Update.P99ms, p.Messages, p.Gaps)
	}

	if o.storm {
		rep.Storm, err = storm(ctx, e, clients, db, o.connectConcurrency, debugAddr, o.profile, o.profileOut)
		if err != nil {
			return rep, err
		}
	}
	rep.Closes = st.closeCounts()
	rep.LoadAvgEnd = procstat.LoadAvg()
	var ps producerStats
	if err := prod.ask("stats", &ps); err != nil || ps.Err != "" {
		return rep, fmt.Errorf("producer: %v%s", err, ps.Err)
	}
	leaveAll(clients)
	return rep, nil
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// connectAll connects every client, conc at a time.
func connectAll(ctx context.Context, e *env, clients []*client, conc int, onConnected func(n int)) (int, int) {
	var ok, failed atomic.Int64
	var eg errgroup.Group
	eg.SetLimit(conc)
	for _, c := range clients {
		eg.Go(func() error {
			if err := e.connect(ctx, c); err != nil {
				if failed.Add(1) <= 5 {
					logf("client %d: %v", c.id, err)
				}
				c.conn = nil
				return nil
			}
			if onConnected != nil {
				onConnected(int(ok.Add(1)))
			} else {
				ok.Add(1)
			}
			return nil
		})
	}
	_ = eg.Wait()
	return int(ok.Load()), int(failed.Load())
}

func leaveAll(clients []*client) {
	var eg errgroup.Group
	eg.SetLimit(200)
	for _, c := range clients {
		eg.Go(func() error { c.leave(); return nil })
	}
	_ = eg.Wait()
}

func xactCommit(ctx context.Context, db *postgres.DB) int64 {
	var n int64
	_ = db.Pool.QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
	return n
}

// tableScans reads the index and sequential scans of every table of the run's schema (the
// connection's search_path), by table.
func tableScans(ctx context.Context, db *postgres.DB) map[string]int64 {
	out := map[string]int64{}
	rows, err := db.Pool.Query(ctx, `SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
		FROM pg_stat_user_tables WHERE schemaname = current_schema()`)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int64
		if rows.Scan(&name, &n) == nil {
			out[name] = n
		}
	}
	return out
}

// storm closes every socket, then reconnects every one with since/epoch, as fast as conc
// connects in flight allow, and counts how each channel was answered. PostgreSQL's committed
// transactions (pg_stat_database.xact_commit: every statement outside a transaction is one) are
// read before and after, with the rate of the 5 s before the storm (the consumer's batches,
// the load still running) as the baseline.
func storm(ctx context.Context, e *env, clients []*client, db *postgres.DB, conc int,
	debugAddr string, profile time.Duration, profileOut string) (*stormReport, error) {
	st := e.st
	var live []*client
	for _, c := range clients {
		if c.conn != nil {
			live = append(live, c)
		}
	}
	x0, s0 := xactCommit(ctx, db), tableScans(ctx, db)
	t0 := time.Now()
	if err := child.Sleep(ctx, 5*time.Second); err != nil {
		return nil, err
	}
	x1, s1 := xactCommit(ctx, db), tableScans(ctx, db)
	baseSec := time.Since(t0).Seconds()
	base := float64(x1-x0) / baseSec
	logf("storm: closing %d sockets", len(live))
	leaveAll(live)
	st.dial.reset()
	st.auth.reset()
	st.sub.reset()
	r0, sn0, u0 := st.subscribed.Load(), st.snapshots.Load(), st.unrecovered.Load()
	d0, g0 := st.dialErrs.Load(), st.gaps.Load()
	x2, s2 := xactCommit(ctx, db), tableScans(ctx, db)
	t1 := time.Now()
	var profWG sync.WaitGroup
	if profile > 0 {
		profWG.Add(3)
		go func() {
			defer profWG.Done()
			if err := child.FetchProfile(debugAddr, 10*time.Second, profileOut+".storm"); err != nil {
				logf("storm profile: %v", err)
			}
		}()
		// Where the server's sockets wait, 3 s in; and this program's own CPU (the viewers'
		// side of the storm).
		go func() {
			defer profWG.Done()
			time.Sleep(3 * time.Second)
			if err := child.Fetch(debugAddr, "/debug/pprof/goroutine?debug=1", 30*time.Second, profileOut+".storm.goroutines"); err != nil {
				logf("storm goroutines: %v", err)
			}
		}()
		go func() {
			defer profWG.Done()
			f, err := os.Create(profileOut + ".storm.loadgen")
			if err != nil {
				return
			}
			defer func() { _ = f.Close() }()
			if pprof.StartCPUProfile(f) == nil {
				time.Sleep(10 * time.Second)
				pprof.StopCPUProfile()
			}
		}()
	}
	n, _ := connectAll(ctx, e, live, conc, nil)
	dur := time.Since(t1)
	// PostgreSQL publishes a backend's table counters when it goes idle, at most once a second.
	if err := child.Sleep(ctx, 2*time.Second); err != nil {
		return nil, err
	}
	x3, s3 := xactCommit(ctx, db), tableScans(ctx, db)
	span := time.Since(t1).Seconds()
	r := &stormReport{Clients: len(live), Connected: n, Seconds: dur.Seconds(),
		Resumed: st.subscribed.Load() - r0, Snapshots: st.snapshots.Load() - sn0, Unrecovered: st.unrecovered.Load() - u0,
		DialErrors: int(st.dialErrs.Load() - d0), XactCommitDuring: x3 - x2, XactPerSecBaseline: base,
		ScansDuring: map[string]int64{}, ScansAttributable: map[string]float64{}}
	r.XactAttributable = float64(r.XactCommitDuring) - base*span
	r.DialP50ms, r.DialP99ms = st.dial.pct(50), st.dial.pct(99)
	r.AuthP50ms, r.AuthP99ms = st.auth.pct(50), st.auth.pct(99)
	r.SubscribeP50ms, r.SubscribeP99ms = st.sub.pct(50), st.sub.pct(99)
	for table, v := range s3 {
		r.ScansDuring[table] = v - s2[table]
		r.ScansAttributable[table] = float64(v-s2[table]) - float64(s1[table]-s0[table])/baseSec*span
	}
	profWG.Wait()
	logf("storm: %d reconnected in %.1f s: %d channels resumed, %d snapshots; xact_commit +%d (baseline %.0f/s); scans of tokens %d, contests %d",
		n, r.Seconds, r.Resumed, r.Snapshots, r.XactCommitDuring, base, r.ScansDuring["tokens"], r.ScansDuring["contests"])
	logf("storm: per reconnect p50/p99 dial %.0f/%.0f ms, auth %.0f/%.0f ms, subscribe %.0f/%.0f ms",
		r.DialP50ms, r.DialP99ms, r.AuthP50ms, r.AuthP99ms, r.SubscribeP50ms, r.SubscribeP99ms)
	if err := child.Sleep(ctx, time.Second); err != nil {
		return r, err
	}
	r.GapsAfter = st.gaps.Load() - g0
	return r, nil
}
