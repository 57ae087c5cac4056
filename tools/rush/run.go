package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/child"
	"bullpen/tools/internal/kafkaadmin"
	"bullpen/tools/internal/procstat"
)

// stack is the run's server and consumer and what they stand on.
type stack struct {
	base, debugAddr string
	consumerDebug   string // the consumer's debug listener
	admin           string
	server          int // pids
	consumer        int
	redis           int // the Redis server's pid (0: not found), for its CPU time
}

func run(ctx context.Context, o options) (rep *report, err error) {
	if o.reps < 1 || o.screens < 0 || o.rounds < 0 || o.window <= 0 {
		return nil, errors.New("-reps must be at least 1, -screens and -rounds at least 0, -window above 0")
	}
	if nofile := child.RaiseNoFile(); uint64(o.reps+o.screens)+500 > nofile {
		return nil, fmt.Errorf("%d sockets need more open files than the limit %d", o.reps+o.screens, nofile)
	}
	veg := vegeta{}
	if veg.bin, err = findVegeta(o.vegeta); err != nil {
		return nil, err
	}
	if o.dir == "" {
		o.dir, err = os.MkdirTemp("", "rush-")
	} else {
		err = os.MkdirAll(o.dir, 0o755)
	}
	if err != nil {
		return nil, err
	}
	veg.dir = o.dir
	cfg, err := config.Load("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rep = &report{Command: commandLine(), Started: time.Now().UTC(), CPUs: runtime.NumCPU(), LoadAvgStart: procstat.LoadAvg(),
		Reps: o.reps, Screens: o.screens, Window: o.window.String(), EventRate: o.eventRate, RateLimit: o.rateLimit, Dir: o.dir, Floor: o.floor}
	logf("files in %s", o.dir)

	// The floor: a schema of its own with the reps, contests and tokens.
	sch, err := postgres.NewScratch(ctx, cfg.DatabaseURL, "rush_")
	if sch != nil {
		defer func() { _ = sch.Drop(context.WithoutCancel(ctx)) }()
	}
	if err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, sch.URL("rush"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	runID := bench.Name("rush")
	gen, err := newGenerator(o.reps, o.teams, runID)
	if err != nil {
		return nil, err
	}
	fl, err := seed(ctx, db, gen.Reps(), o.screens)
	if err != nil {
		return nil, err
	}
	logf("seeded %d reps in %d teams, %d contests, %d rep and %d display tokens", o.reps, o.teams, len(fl.contests), len(fl.repTok), len(fl.screens))

	topic, prefix, group := bench.Name("rush-"), bench.Name("rush"), bench.Name("rush-")
	admin := kafkaadmin.New(cfg.KafkaBrokers)
	if err := admin.CreateTopics(ctx, o.partitions, topic, topic+".dlq"); err != nil {
		return rep, err
	}
	defer func() {
		c := context.WithoutCancel(ctx)
		_ = admin.DeleteGroups(c, group)
		_ = admin.DeleteTopics(c, topic, topic+".dlq")
	}()
	store, err := redis.Open(ctx, cfg.RedisURL, prefix)
	if err != nil {
		return rep, err
	}
	defer func() { _ = store.Flush(context.WithoutCancel(ctx)); _ = store.Close() }()

	st, stopStack, err := startStack(ctx, o, sch, prefix, topic, group)
	defer stopStack()
	if err != nil {
		return rep, err
	}
	st.redis = procstat.URLListenerPID(cfg.RedisURL, 6379)
	if err := putTargets(ctx, st.base, st.admin, fl.reps); err != nil {
		return rep, err
	}
	// Events from now to the end, from a child at the system's priority (started before the
	// load is lowered).
	stopProducer, err := startProducer(o, topic, runID)
	if err != nil {
		return rep, err
	}
	producing := true
	defer func() {
		if producing {
			_, _ = stopProducer()
		}
	}()
	if o.loadNice != 0 {
		if err := child.Renice(o.loadNice); err != nil {
			return rep, err
		}
		rep.LoadNice = o.loadNice
		logf("the load at nice %d", o.loadNice)
	}
	logf("producing %d events/s; warm-up %v", o.eventRate, o.warmup)
	if err := child.Sleep(ctx, o.warmup); err != nil {
		return rep, err
	}
	if o.analyze {
		if err := analyze(ctx, db); err != nil {
			return rep, err
		}
	}

	// The rush.
	if rep.Rush, err = rush(ctx, o, veg, st, fl, admin, topic, group); err != nil {
		return rep, err
	}

	// Leaderboard against /healthz.
	lb := target{url: st.base + "/api/v1/contests/" + fl.contests[0] + "/leaderboard?limit=50", token: fl.screens0()}
	if rep.Rounds, err = rounds(ctx, o, veg, st, lb); err != nil {
		return rep, err
	}

	producing = false
	produced, prodErr := stopProducer()
	if prodErr != nil {
		return rep, fmt.Errorf("producer: %w", prodErr)
	}
	rep.Produced, rep.ProduceFailed = produced.Total, produced.Failed
	rep.Applied, rep.DrainSeconds = drain(ctx, admin, topic, group, o.partitions, produced.Total)
	rep.LoadAvgEnd = procstat.LoadAvg()
	return rep, nil
}

// screens0 is the token the rounds read the leaderboard with: a wall screen's (a rep's if there
// are no screens).
func (f *floor) screens0() string {
	if len(f.screens) > 0 {
		return f.screens[0]
	}
	return f.repTok[0]
}

// startStack starts the consumer and the server (children of this program) and waits until the
// server is ready.
func startStack(ctx context.Context, o options, sch *postgres.Scratch, prefix, topic, group string) (*stack, func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	httpPort, err := child.FreePort()
	if err != nil {
		return nil, stop, err
	}
	dbgPort, err := child.FreePort()
	if err != nil {
		return nil, stop, err
	}
	consumerDbgPort, err := child.FreePort()
	if err != nil {
		return nil, stop, err
	}
	st := &stack{base: "http://127.0.0.1:" + strconv.Itoa(httpPort), debugAddr: "127.0.0.1:" + strconv.Itoa(dbgPort),
		consumerDebug: "127.0.0.1:" + strconv.Itoa(consumerDbgPort), admin: bench.Name("rush-admin-") + bench.Name("")}
	common := []string{"BULLPEN_REDIS_PREFIX=" + prefix, "BULLPEN_KAFKA_TOPIC=" + topic,
		"BULLPEN_KAFKA_DLQ_TOPIC=" + topic + ".dlq", "BULLPEN_KAFKA_GROUP=" + group,
		"BULLPEN_ADMIN_TOKEN=" + st.admin, "BULLPEN_KAFKA_SESSION_TIMEOUT=6s", "BULLPEN_LOG_LEVEL=warn",
		"BULLPEN_RATE_LIMIT=" + o.rateLimit}
	for _, c := range []struct {
		role string
		env  []string
	}{
		{"consumer", []string{"BULLPEN_DATABASE_URL=" + sch.URL("rush-consumer"), child.DebugAddrEnv + "=" + st.consumerDebug}},
		{"server", []string{"BULLPEN_DATABASE_URL=" + sch.URL("rush-server"), "BULLPEN_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(httpPort),
			child.DebugAddrEnv + "=" + st.debugAddr}},
	} {
		cmd, log, err := child.Command(c.role, append(common, c.env...), filepath.Join(o.dir, "rush-"+c.role+".log"))
		if err != nil {
			return nil, stop, err
		}
		if err := child.Start(cmd, log); err != nil {
			return nil, stop, err
		}
		stops = append(stops, func() { child.Stop(cmd); _ = log.Close() })
		if c.role == "server" {
			st.server = cmd.Process.Pid
			if err := child.WaitReady(ctx, st.base+"/readyz", cmd); err != nil {
				return nil, stop, err
			}
		} else {
			st.consumer = cmd.Process.Pid
		}
	}
	logf("server pid %d on %s, consumer pid %d (logs in %s)", st.server, st.base, st.consumer, o.dir)
	return st, stop, nil
}

// drain waits (up to 60 s) for the consumer to commit every event produced, and returns how
// many it committed and how long the wait took.
func drain(ctx context.Context, admin *kafkaadmin.Admin, topic, group string, partitions int, produced int64) (int64, float64) {
	t0 := time.Now()
	var n int64
	for time.Since(t0) < 60*time.Second {
		n, _ = admin.Committed(ctx, group, topic, partitions)
		if n >= produced || child.Sleep(ctx, 200*time.Millisecond) != nil {
			break
		}
	}
	return n, time.Since(t0).Seconds()
}

func commandLine() string {
	return fmt.Sprint(os.Args)
}

// analyze gathers the planner's statistics of the run's tables, as autovacuum has long since
// done on a floor's database. The schema is a minute old: the server's and consumer's
// statements were planned (and their plans kept, one per connection) when its tables were all
// but empty, so the consumer's look-ups of events and deals by id ran as sequential scans of
// tables growing by 2,000 rows a second: 61 % of PostgreSQL's execution time at 2,000
// events/s (docs/benchmarks.md).
// Statistics that change invalidate the kept plans.
func analyze(ctx context.Context, db *postgres.DB) error {
	if _, err := db.Pool.Exec(ctx, `DO $$ DECLARE t text; BEGIN
		FOR t IN SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() LOOP
			EXECUTE 'ANALYZE ' || t;
		END LOOP; END $$`); err != nil {
		return fmt.Errorf("analyze the run's tables: %w", err)
	}
	logf("the run's tables analyzed, as on a floor's database")
	return nil
}
