package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/config"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/kafkaadmin"
	"bullpen/tools/internal/procstat"
)

// drainResult is one drain of the filled topic by a consumer.
type drainResult struct {
	Kind    string `json:"kind"`    // "app": app.RunConsumer, the measured number; "timed": the same parts with timers
	Targets bool   `json:"targets"` // every rep had a revenue target for the month (-targets)
	// Achievements: every achievement rule was on (-achievements).
	Achievements bool `json:"achievements"`
	Batch        int  `json:"batch_size"`
	Consumers    int  `json:"consumers"` // consumer processes (RunConsumer calls) in the group
	Run          int  `json:"run"`
	Events       int  `json:"events"`
	// JoinSeconds is from starting the consumer until the first batch was committed: start-up,
	// group join and the first batch.
	JoinSeconds float64 `json:"join_seconds"`
	// WallSeconds is from starting the consumer until every event was committed.
	WallSeconds float64 `json:"wall_seconds"`
	WallRate    float64 `json:"wall_events_per_second"`
	// Steady is from the first commit to the last: the events committed after the first batch
	// over that time. This is the sustained rate the issue asks for.
	SteadySeconds float64 `json:"steady_seconds"`
	SteadyEvents  int64   `json:"steady_events"`
	SteadyRate    float64 `json:"steady_events_per_second"`
	Timeline      []point `json:"timeline"` // committed events about once a second
	CPU           cpuUse  `json:"cpu"`
	Batches       int64   `json:"batches"`
	ApplySeconds  float64 `json:"apply_and_project_seconds"` // the pipeline's own histogram sum
	// RepsKnown and RepsRead are the reps the achievement pass touched, judged from what the
	// consumer knew and read from the ledger (bullpen_consumer_achievement_reps_total).
	RepsKnown int64         `json:"achievement_reps_known,omitempty"`
	RepsRead  int64         `json:"achievement_reps_read,omitempty"`
	Profile   string        `json:"cpu_profile,omitempty"`
	Phases    *phasesReport `json:"phases,omitempty"`
	Verify    verifyReport  `json:"verify"`
	// Awards are the badges a drain with -achievements on left, by kind (after a warm-up, what
	// the drain added to those the warm-up left).
	Awards []awardCount `json:"awards,omitempty"`
	// Warm is how many events of history a consumer of their own drained first (-warm).
	Warm int `json:"warm,omitempty"`
}

type point struct {
	Seconds   float64 `json:"t"`
	Committed int64   `json:"committed"`
}

// drainSpec is what every drain shares.
type drainSpec struct {
	base       config.Config
	admin      *kafkaadmin.Admin
	topic, dlq string
	partitions int
	gen        genConfig
	defs       []contest.Contest
	fill       fillResult
	timeout    time.Duration
	log        *slog.Logger
	svc        services
	consumers  int
	period     string // the month of the targets, for drains with them
	// achievements turns every achievement rule on (with points) before the consumer starts.
	achievements bool
	warm         *warmUp // drained before each measured drain, when not nil
}

// drain runs one consumer over the whole topic in a fresh schema, Redis prefix and group, then
// verifies what it wrote. then, if not nil, runs in the same schema before it is dropped.
func (s *drainSpec) drain(ctx context.Context, kind string, batch, run int, profile string, targets bool,
	then func(context.Context, *postgres.Scratch, []string) error) (res drainResult, err error) {
	res = drainResult{Kind: kind, Batch: batch, Run: run, Events: s.gen.Events, Targets: targets, Achievements: s.achievements}
	sch, err := postgres.NewScratch(ctx, s.base.DatabaseURL, "bench_")
	if sch != nil {
		defer func() {
			if derr := sch.Drop(context.WithoutCancel(ctx)); derr != nil && err == nil {
				err = fmt.Errorf("drop schema: %w", derr)
			}
		}()
	}
	if err != nil {
		return res, err
	}
	db, err := postgres.Open(ctx, sch.URL(appBench))
	if err != nil {
		return res, err
	}
	defer db.Close()
	ids, err := bench.StoreContests(ctx, db, s.defs, "ingestbench")
	if err != nil {
		return res, err
	}
	if !s.gen.Directory || targets {
		if err := storeReps(ctx, db, s.gen); err != nil {
			return res, err
		}
	}
	prefix := bench.Name("bench")
	group := bench.Name("ingestbench-")
	store, err := openStore(ctx, s.base, prefix)
	if err != nil {
		return res, err
	}
	defer func() {
		_ = store.Flush(context.WithoutCancel(ctx))
		_ = store.Close()
		_ = s.admin.DeleteGroups(context.WithoutCancel(ctx), group)
	}()
	var setIDs []int64
	if targets {
		if setIDs, err = putTargets(ctx, db, store, s.gen, s.period); err != nil {
			return res, err
		}
	}

	if s.achievements {
		if err := db.PutAchievementRules(ctx, allAchievements, "ingestbench"); err != nil {
			return res, err
		}
	}

	cfg := s.base
	cfg.DatabaseURL = sch.URL(appConsumer)
	cfg.RedisPrefix = prefix
	cfg.KafkaTopic, cfg.KafkaDLQTopic, cfg.KafkaGroup = s.topic, s.dlq, group
	cfg.BatchSize = batch

	events := int64(s.gen.Events) // in the ledger once drained
	var awardsBefore []awardCount
	if s.warm != nil {
		if err := s.drainWarm(ctx, cfg, sch, group+"-warm"); err != nil {
			return res, err
		}
		defer func() { _ = s.admin.DeleteGroups(context.WithoutCancel(ctx), group+"-warm") }()
		events += int64(s.warm.events)
		res.Warm = s.warm.events
		if s.achievements {
			if awardsBefore, err = countAwards(ctx, db); err != nil {
				return res, err
			}
		}
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	consumers := 1
	if kind == "app" {
		consumers = max(s.consumers, 1)
	}
	res.Consumers = consumers
	done := make(chan error, consumers)
	addr := make(chan string, consumers)
	var tp *phases

	before := s.svc.sample()
	res.CPU.LoadAvgBefore = procstat.LoadAvg()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return res, err
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
		res.Profile = profile
	}
	profiling := profile != ""
	stopProfile := func() {
		if profiling {
			pprof.StopCPUProfile()
			profiling = false
		}
	}
	defer stopProfile()

	t0 := time.Now()
	switch kind {
	case "app":
		for range consumers {
			go func() {
				done <- app.RunConsumer(cctx, cfg, s.log, func(c app.Consumer) { addr <- c.Addr.String() })
			}()
		}
	case "timed":
		tp = newPhases()
		go func() { done <- runTimedConsumer(cctx, cfg, s.log, tp) }()
	}

	// Poll the group's committed offsets: the consumer commits a batch only once it is in the
	// ledger and in Redis, so committed = N means drained.
	n := int64(s.gen.Events)
	var first time.Time
	var firstCount int64
	lastPoint := -1.0
	deadline := t0.Add(s.timeout)
	for {
		select {
		case err := <-done:
			return res, fmt.Errorf("consumer stopped during the drain: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		c, err := s.admin.Committed(ctx, group, s.topic, s.partitions)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			continue // the group may not exist yet
		}
		now := time.Since(t0).Seconds()
		if c > 0 && first.IsZero() {
			first, firstCount = time.Now(), c
			res.JoinSeconds = now
		}
		if now-lastPoint >= 1 || c >= n {
			res.Timeline = append(res.Timeline, point{Seconds: round3(now), Committed: c})
			lastPoint = now
		}
		if c >= n {
			end := time.Now()
			res.WallSeconds = end.Sub(t0).Seconds()
			res.SteadySeconds = end.Sub(first).Seconds()
			res.SteadyEvents = c - firstCount
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("not drained after %v: %d of %d committed", s.timeout, c, n)
		}
	}
	stopProfile()
	pgCPU := backendCPU(ctx, db, appConsumer)
	after := s.svc.sample()
	res.CPU = mergeLoad(cpuBetween(before, after, pgCPU), res.CPU.LoadAvgBefore, procstat.LoadAvg())
	res.WallRate = float64(n) / res.WallSeconds
	if res.SteadySeconds > 0 {
		res.SteadyRate = float64(res.SteadyEvents) / res.SteadySeconds
	}
	switch kind {
	case "app":
		for range consumers {
			m := scrapeConsumer(<-addr)
			res.Batches += m.batches
			res.ApplySeconds += m.seconds
			res.RepsKnown += m.known
			res.RepsRead += m.read
		}
	case "timed":
		res.Phases = tp.report(res.WallSeconds)
		res.Batches, res.ApplySeconds = tp.batches, tp.process.Seconds()
	}
	cancel()
	for range consumers {
		if err := <-done; err != nil {
			return res, fmt.Errorf("consumer: %w", err)
		}
	}

	res.Verify = verify(ctx, db, store, ids, s.fill.expected, events)
	if targets {
		verifyTargets(ctx, db, store, setIDs, s.fill.expected, &res.Verify)
	}
	if dl, err := s.admin.EndOffsets(ctx, s.dlq, 1); err == nil {
		res.Verify.DeadLetters = dl
		if dl != 0 {
			res.Verify.Problems = append(res.Verify.Problems, fmt.Sprintf("%d events dead-lettered", dl))
			res.Verify.OK = false
		}
	}
	if s.achievements {
		if res.Awards, err = countAwards(ctx, db); err != nil {
			return res, err
		}
		res.Awards = subtractAwards(res.Awards, awardsBefore)
	}
	if then != nil {
		if err := then(ctx, sch, ids); err != nil {
			return res, err
		}
	}
	return res, nil
}

func mergeLoad(u cpuUse, before, after string) cpuUse {
	u.LoadAvgBefore, u.LoadAvgAfter = before, after
	return u
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// backendCPU sums the CPU seconds of the PostgreSQL backends serving application app, read
// from /proc. They were opened by the consumer during the drain, so this is (nearly) all
// theirs.
func backendCPU(ctx context.Context, db *postgres.DB, app string) float64 {
	rows, err := db.Pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
	if err != nil {
		return 0
	}
	defer rows.Close()
	var sum float64
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) == nil {
			if self, _, ok := procstat.Times(pid); ok {
				sum += self
			}
		}
	}
	return sum
}

// consumerCounts are what a drain reads from a consumer's /metrics: its batch histogram and
// the reps its achievement pass touched.
type consumerCounts struct {
	batches     int64
	seconds     float64
	known, read int64
}

// scrapeConsumer reads the consumer's counts from its /metrics.
func scrapeConsumer(addr string) (c consumerCounts) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return c
	}
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	count := func(v string) int64 {
		f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return int64(f)
	}
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "bullpen_consumer_batch_seconds_count "); ok {
			c.batches = count(v)
		}
		if v, ok := strings.CutPrefix(line, "bullpen_consumer_batch_seconds_sum "); ok {
			c.seconds, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
		if v, ok := strings.CutPrefix(line, `bullpen_consumer_achievement_reps_total{judging="known"} `); ok {
			c.known = count(v)
		}
		if v, ok := strings.CutPrefix(line, `bullpen_consumer_achievement_reps_total{judging="read"} `); ok {
			c.read = count(v)
		}
	}
	return c
}
