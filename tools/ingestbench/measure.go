package main

import (
	"context"
	"fmt"

	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/tools/internal/procstat"
)

// measurer runs the measured drains of a run and gathers them into the report.
type measurer struct {
	o        options
	spec     *drainSpec
	gen      genConfig
	contests []*contest.Contest
	rep      *report
	say      func(format string, args ...any)
}

// drain is one measured drain of run r with batch size b, with or without targets; the
// first drain of a run and batch (first) also measures the ceilings, the Kafka-only drain and
// the timed drain that it asks for, so -targets both does not measure them twice.
func (m *measurer) drain(ctx context.Context, r, b int, first, targets bool) error {
	o, rep, say := m.o, m.rep, m.say
	profile := o.cpuprofile
	if profile != "" && len(o.batches)*o.runs > 1 {
		profile = fmt.Sprintf("%s-b%d-r%d", o.cpuprofile, b, r)
	}
	with := map[bool]string{false: "", true: ", targets"}[targets]
	if profile != "" && o.targets == "both" {
		profile += map[bool]string{false: "-plain", true: "-targets"}[targets]
	}
	say("run %d, batch %d%s: draining with app.RunConsumer (load average %s)...", r, b, with, procstat.LoadAvg())
	var then func(context.Context, *postgres.Scratch, []string) error
	if o.ceiling && first {
		then = func(ctx context.Context, sch *postgres.Scratch, ids []string) error {
			return m.ceilings(ctx, sch, ids, r, b)
		}
	}
	d, err := m.spec.drain(ctx, "app", b, r, profile, targets, then)
	rep.Drains = append(rep.Drains, d)
	if err != nil {
		return err
	}
	rep.OK = rep.OK && d.Verify.OK
	say("  drained in %.1f s (join %.1f s): %.0f events/s steady, %.0f wall; verify ok=%v %v",
		d.WallSeconds, d.JoinSeconds, d.SteadyRate, d.WallRate, d.Verify.OK, d.Verify.Problems)
	if o.kafkaOnly && first {
		k, err := kafkaDrain(ctx, m.spec, b, r)
		if err != nil {
			return err
		}
		rep.Kafka = append(rep.Kafka, k)
		say("  kafka-only drain: %.0f events/s", k.SteadyRate)
	}
	if o.phases && r == 1 && first {
		say("  timed drain (where the time goes)...")
		d, err := m.spec.drain(ctx, "timed", b, r, "", targets, nil)
		rep.Drains = append(rep.Drains, d)
		if err != nil {
			return err
		}
		rep.OK = rep.OK && d.Verify.OK
		say("  timed drain: %.0f events/s steady", d.SteadyRate)
	}
	return nil
}

// ceilings measures PostgreSQL's COPY ceiling in the drain's schema, for each connection count.
func (m *measurer) ceilings(ctx context.Context, sch *postgres.Scratch, ids []string, r, b int) error {
	data, err := ceilingData(m.gen, m.contests, b)
	if err != nil {
		return err
	}
	for _, conns := range m.o.ceilingConns {
		for _, ledger := range []bool{false, true} {
			c, err := pgCeiling(ctx, sch, ids, data, m.gen, b, r, conns, ledger)
			if err != nil {
				return err
			}
			m.rep.Ceilings = append(m.rep.Ceilings, c)
			m.say("  postgres COPY ceiling (%s rows, %d connections): %.0f events/s, %.0f rows/s", c.Name, conns, c.EventsPerSecond, c.RowsPerSecond)
		}
	}
	return nil
}
