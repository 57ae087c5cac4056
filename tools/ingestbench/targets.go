package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/service"
	"bullpen/internal/target"
)

// The targets of a drain with -targets: every rep has a revenue target for the current month
// (UTC), one set per team, written through the same use-case as PUT /api/v1/targets. Every
// event then moves one attainment row besides the boards, the cost the issue bounds.

// targetModes turns -targets into the drains of one run: without, with, or both. With both,
// odd runs drain without targets first and even runs with them first, so a drift of the
// machine over the run does not always favour the same side.
func targetModes(flag string, run int) []bool {
	switch flag {
	case "on":
		return []bool{true}
	case "both":
		if run%2 == 1 {
			return []bool{false, true}
		}
		return []bool{true, false}
	}
	return []bool{false}
}

// targetPeriod is the month the generated events fall in; every one of them must, so that the
// attainment of a rep equals its score on the all-time revenue board.
func targetPeriod(now time.Time, span time.Duration) (string, error) {
	month, _ := target.PeriodsAt(now, time.UTC)
	if first, _ := target.PeriodsAt(now.Add(-span-time.Minute), time.UTC); first != month {
		return "", fmt.Errorf("-targets: the events (the last %v) cross into month %s; use a shorter -span or run later", span, month)
	}
	return month, nil
}

// putTargets gives every rep a revenue target in its team's set for period, through the
// targets use-case (the reps must be in the directory first). It returns the sets' ids.
func putTargets(ctx context.Context, db *postgres.DB, store *redis.Store, g genConfig, period string) ([]int64, error) {
	rows := make([]target.Target, g.Reps)
	for r := range g.Reps {
		// 20,000.00 to 59,900.00: targets differ, as a floor's do.
		rows[r] = target.Target{Period: period, Metric: "revenue", TeamID: teamID(g.team(r)), RepID: repID(r),
			Target: bullpen.Fixed(2_000_000 + 10_000*int64(r%400))}
	}
	svc := service.NewTargets(service.TargetDeps{Store: db, Projection: store, Timezone: "UTC",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	out, err := svc.Put(ctx, &target.Request{Rows: rows}, "ingestbench")
	if err != nil {
		return nil, fmt.Errorf("put targets: %w", err)
	}
	ids := make([]int64, len(out.Sets))
	for i, s := range out.Sets {
		ids[i] = s.ID
	}
	slices.Sort(ids)
	return ids, nil
}

// verifyTargets checks, after a drain with targets, that every rep's attainment in PostgreSQL
// and in Redis equals its score on the all-time revenue board as the generator computed it
// (contest 0: revenue by rep, no periods; the same events, judged by the same team).
func verifyTargets(ctx context.Context, db *postgres.DB, store *redis.Store, setIDs []int64,
	expected map[modelKey]bullpen.Fixed, r *verifyReport) {
	problem := func(format string, args ...any) {
		r.OK = false
		if len(r.Problems) < 20 {
			r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
		}
	}
	want := map[string]bullpen.Fixed{}
	for k, v := range expected {
		if k.Contest == 0 && v != 0 {
			want[k.Entrant] = v
		}
	}
	rows, err := db.Pool.Query(ctx, `SELECT rep_id, value FROM attainment WHERE set_id = ANY($1)`, setIDs)
	if err != nil {
		problem("read attainment: %v", err)
		return
	}
	inPG := map[string]bullpen.Fixed{}
	for rows.Next() {
		var rep string
		var v bullpen.Fixed
		if err := rows.Scan(&rep, &v); err != nil {
			rows.Close()
			problem("read attainment: %v", err)
			return
		}
		inPG[rep] = v
	}
	if err := rows.Err(); err != nil {
		problem("read attainment: %v", err)
		return
	}
	inRedis, err := store.Attainment(ctx, setIDs)
	if err != nil {
		problem("redis attainment: %v", err)
		return
	}
	merged := map[string]bullpen.Fixed{}
	for _, set := range inRedis {
		for rep, v := range set {
			merged[rep] = v
		}
	}
	for rep := range union(want, inPG, merged) {
		r.AttainmentChecked++
		if w, p, m := want[rep], inPG[rep], merged[rep]; w != p || w != m {
			problem("attainment of %s: the model says %s, postgres %s, redis %s", rep, w, p, m)
		}
	}
}

func union(maps ...map[string]bullpen.Fixed) map[string]bool {
	out := map[string]bool{}
	for _, m := range maps {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

func yesNo(b bool) string { return map[bool]string{false: "no", true: "yes"}[b] }

// ingestCPU is the CPU an ingest spends per 1000 events on its own: the consumer, its
// PostgreSQL backends and Redis (Kafka serves both sides alike and is left out).
func (s summaryRow) ingestCPU() float64 { return s.GoCPUPerK + s.PGCPUPerK + s.RedisCPUPerK }

// printTargetCost compares, batch by batch, the drains with targets with those without: the
// CPU per 1000 events (goal: at most 10 % more) and the rate against the PostgreSQL ledger
// ceiling of the same run (goal: at least 45 %).
func printTargetCost(w io.Writer, rows []summaryRow) {
	by := map[int][2]*summaryRow{}
	for i := range rows {
		pair := by[rows[i].Batch]
		pair[map[bool]int{false: 0, true: 1}[rows[i].Targets]] = &rows[i]
		by[rows[i].Batch] = pair
	}
	for _, r := range rows {
		pair := by[r.Batch]
		plain, with := pair[0], pair[1]
		if r.Targets || plain == nil || with == nil {
			continue
		}
		_, _ = fmt.Fprintf(w, "\ntargets, batch %d: ingest CPU (Go + PG backends + Redis) %.1f → %.1f ms per 1000 events (%+.1f %%); steady rate %.0f → %.0f events/s",
			r.Batch, plain.ingestCPU(), with.ingestCPU(), 100*(with.ingestCPU()/plain.ingestCPU()-1), plain.SteadyMedian, with.SteadyMedian)
		// The ceiling with as many connections as measured, as the headline compares two
		// consumers with two connections.
		c, conns := with.CeilingLedgerParallel, with.ParallelConns
		if c == 0 {
			c, conns = with.CeilingLedger, 1
		}
		if c > 0 {
			_, _ = fmt.Fprintf(w, ", %.0f %% → %.0f %% of the PostgreSQL ledger ceiling on %d connection(s) (%.0f events/s)",
				100*plain.SteadyMedian/c, 100*with.SteadyMedian/c, conns, c)
		}
		_, _ = fmt.Fprintln(w)
	}
}
