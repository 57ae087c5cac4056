// Command ingestbench measures sustained ingest: events per second from Kafka through the
// ledger (PostgreSQL) to the live projection (Redis), by the real consumer, on this machine
// with every service local.
//
// It fills a fresh topic beforehand (so the producer does not share the run), then drains it
// with app.RunConsumer in-process, once per batch size and run, each time into a fresh schema,
// Redis prefix and consumer group with three live contests; verifies the result; and, from the
// same run, measures two ceilings: PostgreSQL's own batched COPY rate for the same rows, and a
// plain kafka-go reader draining the same topic. Everything it creates is removed at the end.
//
//	eval "$(scripts/services.sh up)"
//	go run ./tools/ingestbench -events 1000000 -batch 2000,5000 -runs 3 -cpuprofile drain.pprof
//
// See docs/benchmarks.md (## Ingest) for the figures and how to read them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/kafkaadmin"
)

type options struct {
	events, reps, teams, partitions int
	batches, ceilingConns           []int
	runs, consumers                 int
	producers, chunk                int
	span                            time.Duration
	warm                            int           // events of history drained, unmeasured, before each drain
	warmSpan                        time.Duration // the history's occurred_at spread, before -span
	directory                       bool
	seed                            uint64
	ceiling, kafkaOnly, phases      bool
	cpuprofile                      string
	asJSON, keep                    bool
	jsonOut                         string
	timeout                         time.Duration
	logLevel                        string
	targets                         string
	achievements                    string
}

// report is the whole run, as -json prints it.
type report struct {
	Command  string          `json:"command"`
	Started  time.Time       `json:"started"`
	Machine  machine         `json:"machine"`
	Settings map[string]any  `json:"settings"`
	Fill     fillResult      `json:"fill"`
	Drains   []drainResult   `json:"drains"`
	Ceilings []ceilingResult `json:"postgres_ceilings"`
	Kafka    []kafkaResult   `json:"kafka_only"`
	Summary  []summaryRow    `json:"summary"`
	OK       bool            `json:"ok"`
}

type summaryRow struct {
	Batch             int     `json:"batch_size"`
	Targets           bool    `json:"targets"`
	Runs              int     `json:"runs"`
	SteadyMedian      float64 `json:"steady_events_per_second_median"`
	WallMedian        float64 `json:"wall_events_per_second_median"`
	JoinMedian        float64 `json:"join_seconds_median"`
	CeilingEvents     float64 `json:"postgres_copy_events_per_second_median"`
	CeilingLedger     float64 `json:"postgres_copy_ledger_events_per_second_median"`
	CeilingLedgerRows float64 `json:"postgres_copy_ledger_rows_per_second_median"`
	// The ledger-shaped ceiling with the most connections measured (ParallelConns) at once.
	CeilingLedgerParallel float64 `json:"postgres_copy_ledger_parallel_events_per_second_median"`
	ParallelConns         int     `json:"postgres_copy_parallel_connections"`
	KafkaOnly             float64 `json:"kafka_only_events_per_second_median"`
	GoCPUPerK             float64 `json:"consumer_go_cpu_ms_per_1000_events"`
	PGCPUPerK             float64 `json:"postgres_backend_cpu_ms_per_1000_events"`
	PGAllCPUPerK          float64 `json:"postgres_all_cpu_ms_per_1000_events"`
	KafkaCPUPerK          float64 `json:"kafka_cpu_ms_per_1000_events"`
	RedisCPUPerK          float64 `json:"redis_cpu_ms_per_1000_events"`
	OtherCPUPerK          float64 `json:"other_cpu_ms_per_1000_events"`
	MachineBusyShare      float64 `json:"machine_busy_share"`
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ingestbench:", err)
		os.Exit(2)
	}
	app.TuneConsumerGC() // the drains run app.RunConsumer in this process, so it runs as bin/consumer does
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, o, os.Stderr)
	if rep != nil && o.jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		err = errors.Join(err, os.WriteFile(o.jsonOut, append(b, '\n'), 0o644))
	}
	if rep != nil {
		if o.asJSON {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			_ = enc.Encode(rep)
		} else {
			err = errors.Join(err, printReport(os.Stdout, rep))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ingestbench:", err)
		os.Exit(1)
	}
	if !rep.OK {
		fmt.Fprintln(os.Stderr, "ingestbench: verification failed")
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("ingestbench", flag.ContinueOnError)
	fs.IntVar(&o.events, "events", 1_000_000, "events to fill the topic with and drain")
	fs.IntVar(&o.reps, "reps", 2000, "distinct reps (the message key)")
	fs.IntVar(&o.teams, "teams", 20, "teams the reps belong to")
	fs.IntVar(&o.partitions, "partitions", 6, "partitions of the topic")
	batch := fs.String("batch", "", "consumer batch sizes, comma-separated (default: BULLPEN_BATCH_SIZE or its default)")
	fs.IntVar(&o.runs, "runs", 1, "drains per batch size (the summary gives medians)")
	fs.IntVar(&o.consumers, "consumers", 1, "consumers (app.RunConsumer in-process) in the group of a measured drain; at most -partitions do work")
	fs.IntVar(&o.producers, "producers", 4, "producer goroutines for the fill")
	fs.IntVar(&o.chunk, "chunk", 10000, "messages per WriteMessages call and per producer batch")
	fs.DurationVar(&o.span, "span", time.Hour, "occurred_at spreads over this much time before now")
	fs.IntVar(&o.warm, "warm", 0, "events of history (the same reps, in the -warm-span before -span) drained by a consumer of their own before each measured drain, into the same ledger and projection, and not measured: the cost on a floor that has been running rather than on a fresh ledger")
	fs.DurationVar(&o.warmSpan, "warm-span", 48*time.Hour, "the history's occurred_at spreads over this much time before -span")
	fs.BoolVar(&o.directory, "directory", true, "events carry rep_name and team_id (else the rep directory is filled beforehand)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the generated events")
	fs.BoolVar(&o.ceiling, "ceiling", true, "measure PostgreSQL's COPY ceiling after each drain")
	ceilingConns := fs.String("ceiling-conns", "1,2", "connections inserting at once for the ceiling, comma-separated")
	fs.BoolVar(&o.kafkaOnly, "kafka-only", true, "measure a plain kafka-go reader draining the topic after each drain")
	fs.BoolVar(&o.phases, "phases", false, "add one timed drain per batch size that says where the wall time goes (not in the medians)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a Go CPU profile of each measured drain to this file (suffixed -b<batch>-r<run> when there are several)")
	fs.BoolVar(&o.asJSON, "json", false, "print the report as JSON instead of tables")
	fs.StringVar(&o.jsonOut, "o", "", "also write the JSON report to this file")
	fs.BoolVar(&o.keep, "keep", false, "keep the topic (schemas, prefixes and groups are always removed)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "give up a drain after this long")
	fs.StringVar(&o.logLevel, "log-level", "warn", "the consumer's log level (logs go to stderr)")
	fs.StringVar(&o.achievements, "achievements", "off", "every achievement rule on, with points, in every drain (on), or none (off): run once each way to read their cost per event")
	fs.StringVar(&o.targets, "targets", "off", "give every rep a revenue target for the month: off, on, or both (each run drains once without and once with them)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if *batch != "" {
		if o.batches, err = intList("-batch", *batch, 100000); err != nil {
			return o, err
		}
	}
	if o.ceilingConns, err = intList("-ceiling-conns", *ceilingConns, 64); err != nil {
		return o, err
	}
	switch {
	case o.events < 1 || o.reps < 1 || o.teams < 1 || o.partitions < 1 || o.runs < 1 || o.consumers < 1 || o.producers < 1 || o.chunk < 1:
		return o, fmt.Errorf("-events, -reps, -teams, -partitions, -runs, -consumers, -producers and -chunk must be positive")
	case o.span <= 0 || o.span > 6*24*time.Hour:
		return o, fmt.Errorf("-span must be positive and at most 6 days (the contests started 7 days ago)")
	case o.warm < 0 || o.warm > 0 && (o.warmSpan <= 0 || o.span+o.warmSpan > 6*24*time.Hour):
		return o, fmt.Errorf("-warm must not be negative, and with it -warm-span positive and -span plus -warm-span at most 6 days")
	case !slices.Contains([]string{"off", "on"}, o.achievements):
		return o, fmt.Errorf("-achievements: %q is not off or on", o.achievements)
	case !slices.Contains([]string{"off", "on", "both"}, o.targets):
		return o, fmt.Errorf("-targets: %q is not off, on or both", o.targets)
	}
	return o, nil
}

// intList parses a comma-separated list of integers in [1, most].
func intList(flagName, s string, most int) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > most {
			return nil, fmt.Errorf("%s: %q is not a number between 1 and %d", flagName, part, most)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, o options, progress io.Writer) (*report, error) {
	say := func(format string, args ...any) {
		_, _ = fmt.Fprintf(progress, "[ingestbench %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	base, err := baseConfig()
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	if len(o.batches) == 0 {
		o.batches = []int{base.BatchSize}
	}
	rep := &report{Command: strings.Join(os.Args, " "), Started: time.Now().UTC(), Machine: describeMachine(), OK: true}
	rep.Settings = map[string]any{"events": o.events, "reps": o.reps, "teams": o.teams, "partitions": o.partitions,
		"batch_sizes": o.batches, "runs": o.runs, "batch_wait": base.BatchWait.String(), "span": o.span.String(),
		"consumers": o.consumers, "directory": o.directory, "seed": o.seed, "producers": o.producers, "chunk": o.chunk,
		"targets": o.targets, "achievements": o.achievements, "warm": o.warm, "warm_span": o.warmSpan.String()}
	if err := serviceVersions(ctx, base.DatabaseURL, base.RedisURL, &rep.Machine); err != nil {
		return nil, err
	}
	say("machine: %d CPUs (%s), %s; load average %s", rep.Machine.CPUs, rep.Machine.CPUModel, rep.Machine.GoVersion, rep.Machine.LoadAvg)

	now := time.Now()
	var period string
	if o.targets != "off" {
		if o.warm > 0 {
			// The history stays in the targets' month: early in a month it is shorter.
			month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
			if room := now.Sub(month) - o.span - 2*time.Minute; room < o.warmSpan && room > 0 {
				say("-warm-span %v would reach into last month, before the targets' month: %v instead", o.warmSpan, room.Truncate(time.Minute))
				o.warmSpan = room.Truncate(time.Minute)
				rep.Settings["warm_span"] = o.warmSpan.String()
			}
		}
		if period, err = targetPeriod(now, o.span+history(o)); err != nil {
			return nil, err
		}
	}
	defs := benchContests(now)
	contests, err := normalizedContests(defs)
	if err != nil {
		return nil, err
	}
	g := genConfig{Events: o.events, Reps: o.reps, Teams: o.teams, Workers: o.producers, Seed: o.seed,
		From: now.Add(-o.span - time.Minute), To: now.Add(-time.Minute), Directory: o.directory, Currency: base.Currency}
	if g.Workers > g.Reps {
		g.Workers = g.Reps
	}

	admin := kafkaadmin.New(base.KafkaBrokers)
	topic := bench.Name("ingestbench-")
	dlq := topic + ".dlq"
	if err := admin.CreateTopics(ctx, o.partitions, topic, dlq); err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	if !o.keep {
		defer func() {
			if err := admin.DeleteTopics(context.WithoutCancel(ctx), topic, dlq); err != nil {
				say("could not delete topics %s, %s: %v", topic, dlq, err)
			}
		}()
	}

	say("filling %s (%d partitions) with %d events...", topic, o.partitions, o.events)
	rep.Fill, err = fill(ctx, base.KafkaBrokers, topic, g, contests, o.chunk)
	if err != nil {
		return rep, err
	}
	if n, err := admin.EndOffsets(ctx, topic, o.partitions); err != nil || n != int64(o.events) {
		return rep, fmt.Errorf("the topic holds %d messages after the fill, want %d (%v)", n, o.events, err)
	}
	say("filled in %.1f s: %.0f events/s (%.0f MB)", rep.Fill.Seconds, rep.Fill.PerSecond, float64(rep.Fill.Bytes)/1e6)
	var warm *warmUp
	if o.warm > 0 {
		if warm, err = fillWarm(ctx, o, admin, base, g, contests, say); err != nil {
			return rep, err
		}
		if !o.keep {
			defer func() { _ = admin.DeleteTopics(context.WithoutCancel(ctx), warm.topic) }()
		}
		for k, v := range warm.expected {
			rep.Fill.expected[k] += v
		}
	}

	spec := &drainSpec{base: base, admin: admin, topic: topic, dlq: dlq, partitions: o.partitions, gen: g, defs: defs,
		fill: rep.Fill, timeout: o.timeout, log: app.Logger(o.logLevel).With("process", "ingestbench-consumer"),
		svc: findServices(servicePorts(base)), consumers: o.consumers, period: period,
		achievements: o.achievements == "on", warm: warm}
	if spec.svc.postmaster == 0 || spec.svc.kafka == 0 || spec.svc.redis == 0 {
		say("could not find every service's process by its port (postgres %d, kafka %d, redis %d): their CPU use reads 0",
			spec.svc.postmaster, spec.svc.kafka, spec.svc.redis)
	}
	m := &measurer{o: o, spec: spec, gen: g, contests: contests, rep: rep, say: say}
	for r := 1; r <= o.runs; r++ {
		for _, b := range o.batches {
			for i, targets := range targetModes(o.targets, r) {
				if err := m.drain(ctx, r, b, i == 0, targets); err != nil {
					return rep, err
				}
			}
		}
	}
	rep.Summary = summarize(rep, o.batches)
	return rep, nil
}

// serviceVersions asks PostgreSQL and Redis for their versions.
func serviceVersions(ctx context.Context, dbURL, redisURL string, m *machine) error {
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Pool.QueryRow(ctx, `SHOW server_version`).Scan(&m.PostgreSQL); err != nil {
		return err
	}
	m.PostgreSQL = "PostgreSQL " + m.PostgreSQL
	var fsync, sync string
	if db.Pool.QueryRow(ctx, `SELECT current_setting('fsync'), current_setting('synchronous_commit')`).Scan(&fsync, &sync) == nil {
		m.PostgreSQL += fmt.Sprintf(" (fsync=%s, synchronous_commit=%s)", fsync, sync)
	}
	if s, err := redis.Open(ctx, redisURL, "ingestbench"); err == nil {
		defer func() { _ = s.Close() }()
		if info, err := s.Client().Info(ctx, "server").Result(); err == nil {
			for line := range strings.SplitSeq(info, "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
					m.Redis = "Redis " + v
				}
			}
		}
	}
	return nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func summarize(rep *report, batches []int) []summaryRow {
	var out []summaryRow
	for _, b := range batches {
		for _, targets := range []bool{false, true} {
			if row, ok := summarizeDrains(rep, b, targets); ok {
				out = append(out, row)
			}
		}
	}
	return out
}

// summarizeDrains is the medians of the app drains with batch size b, with or without targets,
// beside the ceilings measured with that batch size; ok is false when there were none.
func summarizeDrains(rep *report, b int, targets bool) (summaryRow, bool) {
	row := summaryRow{Batch: b, Targets: targets}
	var steady, wall, join, goCPU, pgCPU, pgAll, kCPU, rCPU, other, busy []float64
	for _, d := range rep.Drains {
		if d.Kind != "app" || d.Batch != b || d.Targets != targets || d.WallSeconds == 0 {
			continue
		}
		row.Runs++
		k := float64(d.Events) / 1000
		steady, wall, join = append(steady, d.SteadyRate), append(wall, d.WallRate), append(join, d.JoinSeconds)
		goCPU, pgCPU = append(goCPU, 1000*d.CPU.Consumer/k), append(pgCPU, 1000*d.CPU.PGBackends/k)
		pgAll, kCPU, rCPU = append(pgAll, 1000*d.CPU.PostgresAll/k), append(kCPU, 1000*d.CPU.Kafka/k), append(rCPU, 1000*d.CPU.Redis/k)
		other = append(other, 1000*d.CPU.Unattributed/k)
		if d.CPU.MachineTotal > 0 {
			busy = append(busy, d.CPU.MachineBusy/d.CPU.MachineTotal)
		}
	}
	row.SteadyMedian, row.WallMedian, row.JoinMedian = median(steady), median(wall), median(join)
	row.GoCPUPerK, row.PGCPUPerK, row.PGAllCPUPerK = median(goCPU), median(pgCPU), median(pgAll)
	row.KafkaCPUPerK, row.RedisCPUPerK, row.MachineBusyShare = median(kCPU), median(rCPU), median(busy)
	row.OtherCPUPerK = median(other)
	var ce, cl, clr, clp, ko []float64
	for _, c := range rep.Ceilings {
		row.ParallelConns = max(row.ParallelConns, c.Conns)
	}
	for _, c := range rep.Ceilings {
		switch {
		case c.Batch != b:
		case c.Conns == 1 && c.Name == "events":
			ce = append(ce, c.EventsPerSecond)
		case c.Conns == 1:
			cl, clr = append(cl, c.EventsPerSecond), append(clr, c.RowsPerSecond)
		case c.Conns == row.ParallelConns && c.Name == "ledger":
			clp = append(clp, c.EventsPerSecond)
		}
	}
	row.CeilingLedgerParallel = median(clp)
	for _, k := range rep.Kafka {
		if k.Batch == b {
			ko = append(ko, k.SteadyRate)
		}
	}
	row.CeilingEvents, row.CeilingLedger, row.CeilingLedgerRows, row.KafkaOnly = median(ce), median(cl), median(clr), median(ko)
	return row, row.Runs > 0
}

func printReport(out io.Writer, rep *report) error {
	w := &strings.Builder{}
	m := rep.Machine
	fmt.Fprintf(w, "Bullpen ingest benchmark, %s\n", rep.Started.Format(time.RFC3339))
	fmt.Fprintf(w, "machine: %d CPUs, %s, %d MB, Linux %s, %s (GOGC %d)\n", m.CPUs, m.CPUModel, m.MemoryMB, m.Kernel, m.GoVersion, m.GCPercent)
	fmt.Fprintf(w, "services: %s; %s; %s\n", m.PostgreSQL, m.Redis, m.Kafka)
	fmt.Fprintf(w, "load average at start: %s\n", m.LoadAvg)
	f := rep.Fill
	types := make([]string, 0, len(f.TypeCount))
	for _, t := range []string{"activity", "deal.won", "deal.updated", "deal.reversed"} {
		types = append(types, fmt.Sprintf("%s %d", t, f.TypeCount[t]))
	}
	fmt.Fprintf(w, "fill (not the measured number): %d events (%s), %.0f MB, in %.1f s = %.0f events/s\n\n",
		f.Events, strings.Join(types, ", "), float64(f.Bytes)/1e6, f.Seconds, f.PerSecond)

	fmt.Fprintf(w, "%-6s %-4s %-6s %-4s %-7s %8s %8s %12s %12s %s\n", "kind", "run", "batch", "cons", "targets", "join s", "drain s", "steady ev/s", "wall ev/s", "verify")
	for _, d := range rep.Drains {
		v := "ok"
		if !d.Verify.OK {
			v = "FAILED: " + strings.Join(d.Verify.Problems, "; ")
		}
		v += fmt.Sprintf(" (%d events, %d boards, %d rows", d.Verify.EventsInLedger, d.Verify.Boards, d.Verify.Rows)
		if d.Targets {
			v += fmt.Sprintf(", attainment of %d reps", d.Verify.AttainmentChecked)
		}
		v += ")"
		if d.Warm > 0 {
			v += fmt.Sprintf(", after %d events of history drained first and not measured", d.Warm)
		}
		fmt.Fprintf(w, "%-6s %-4d %-6d %-4d %-7s %8.1f %8.1f %12.0f %12.0f %s\n", d.Kind, d.Run, d.Batch, d.Consumers, yesNo(d.Targets),
			d.JoinSeconds, d.WallSeconds, d.SteadyRate, d.WallRate, v)
		if d.Achievements {
			fmt.Fprintf(w, "       %s\n", awardsLine(d.Awards, d.Events))
			if touched := d.RepsKnown + d.RepsRead; touched > 0 {
				fmt.Fprintf(w, "       reps touched by the achievement pass: %d, of them judged from what was known %d (%.0f %%), read %d\n",
					touched, d.RepsKnown, 100*float64(d.RepsKnown)/float64(touched), d.RepsRead)
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "summary (medians of app drains; steady = from the first committed batch to the last)\n")
	fmt.Fprintf(w, "%-6s %-7s %-4s %12s %12s %14s %14s %12s %16s %12s\n", "batch", "targets", "runs", "steady ev/s", "wall ev/s",
		"PG COPY ev/s", "PG ledger ev/s", "(rows/s)", "PG ledger xN ev/s", "Kafka ev/s")
	for _, s := range rep.Summary {
		fmt.Fprintf(w, "%-6d %-7s %-4d %12.0f %12.0f %14.0f %14.0f %12.0f %11.0f (x%d) %12.0f\n", s.Batch, yesNo(s.Targets), s.Runs, s.SteadyMedian, s.WallMedian,
			s.CeilingEvents, s.CeilingLedger, s.CeilingLedgerRows, s.CeilingLedgerParallel, s.ParallelConns, s.KafkaOnly)
	}
	fmt.Fprintf(w, "(PG COPY: events rows alone; PG ledger: events and contributions rows, as an ingest batch writes them;\n one transaction of COPY per batch, one connection, or N at once for xN; Kafka: a plain kafka-go group reader)\n")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "CPU during the drain, ms per 1000 events (medians)\n")
	fmt.Fprintf(w, "%-6s %-7s %10s %12s %12s %8s %8s %8s %14s\n", "batch", "targets", "Go (self)", "PG backends", "PG all", "Kafka", "Redis", "other", "machine busy")
	for _, s := range rep.Summary {
		fmt.Fprintf(w, "%-6d %-7s %10.1f %12.1f %12.1f %8.1f %8.1f %8.1f %13.0f%%\n", s.Batch, yesNo(s.Targets), s.GoCPUPerK, s.PGCPUPerK, s.PGAllCPUPerK,
			s.KafkaCPUPerK, s.RedisCPUPerK, s.OtherCPUPerK, 100*s.MachineBusyShare)
	}
	fmt.Fprintf(w, "(PG backends: those serving the consumer; PG all, Kafka, Redis: the whole servers, others' tests included;\n other: the rest of the machine's busy time, e.g. other engineers' tests)\n")
	printTargetCost(w, rep.Summary)
	for _, d := range rep.Drains {
		if d.Phases != nil {
			fmt.Fprintf(w, "\nwhere the wall time goes (timed drain, batch %d, %.0f events/s steady, %d batches, %d standings rows and %d reps projected)\n",
				d.Batch, d.SteadyRate, d.Phases.Batches, d.Phases.RowsSet, d.Phases.RepsSet)
			fmt.Fprint(w, d.Phases.String())
		}
	}
	for _, d := range rep.Drains {
		if d.Profile != "" {
			fmt.Fprintf(w, "\nCPU profile: %s (go tool pprof -top <binary> %s)\n", d.Profile, d.Profile)
			break
		}
	}
	_, err := io.WriteString(out, w.String())
	return err
}
