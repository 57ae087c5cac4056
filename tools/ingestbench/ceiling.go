package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	kafkago "github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"bullpen/internal/contest"
	"bullpen/internal/event"
	"bullpen/internal/postgres"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/procstat"
)

// ceilingResult is PostgreSQL's own batched-insert rate on this machine.
type ceilingResult struct {
	Name    string  `json:"name"` // "events": events rows alone; "ledger": events and their contributions
	Conns   int     `json:"connections"`
	Batch   int     `json:"batch_size"`
	Run     int     `json:"run"`
	Events  int     `json:"events"`
	Rows    int64   `json:"rows"` // rows inserted, all tables
	Seconds float64 `json:"seconds"`
	// EventsPerSecond is events per second of wall time inserting them (BEGIN, COPY, COMMIT per
	// batch, Conns at a time); generating the events beforehand is not timed.
	EventsPerSecond float64 `json:"events_per_second"`
	RowsPerSecond   float64 `json:"rows_per_second"`
	BackendCPU      float64 `json:"postgres_backend_cpu_seconds"`
}

// ceilingBatch is one batch of generated events and their contributions.
type ceilingBatch struct {
	events   []genEvent
	contribs [][]contribution
	first    int // index of the first event, for the source column
}

// ceilingData generates the drain's events (same seed) once, in batches of the consumer's size.
func ceilingData(g genConfig, contests []*contest.Contest, size int) ([]ceilingBatch, error) {
	var out []ceilingBatch
	n := 0
	err := eventsBatches(g, contests, size, func(evs []genEvent, cs [][]contribution) error {
		out = append(out, ceilingBatch{events: slices.Clone(evs), contribs: slices.Clone(cs), first: n})
		n += len(evs)
		return nil
	})
	return out, err
}

// pgCeiling inserts the same events the drain applied into scratch tables shaped like the
// ledger's (same columns, indexes and foreign keys), one transaction of COPY per batch of the
// consumer's batch size, on conns connections at once. "events" writes the events rows alone;
// "ledger" also their contributions rows: the two bulk writes of an ingest batch.
func pgCeiling(ctx context.Context, sch *postgres.Scratch, contestIDs []string, data []ceilingBatch, g genConfig,
	batch, run, conns int, withContributions bool) (ceilingResult, error) {
	name := "events"
	if withContributions {
		name = "ledger"
	}
	res := ceilingResult{Name: name, Conns: conns, Batch: batch, Run: run, Events: g.Events}
	suffix := bench.Name("")
	evTable, coTable := "ceiling_events_"+suffix, "ceiling_contributions_"+suffix
	admin, err := pgx.Connect(ctx, sch.URL(appBench))
	if err != nil {
		return res, err
	}
	defer func() {
		_, _ = admin.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+evTable+`, `+coTable)
		_ = admin.Close(context.WithoutCancel(ctx))
	}()
	for _, q := range []string{
		`CREATE TABLE ` + evTable + ` (LIKE events INCLUDING ALL)`,
		`CREATE TABLE ` + coTable + ` (LIKE contributions INCLUDING ALL)`,
		`ALTER TABLE ` + coTable + ` ADD FOREIGN KEY (contest_id) REFERENCES contests (id)`,
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return res, err
		}
	}
	// Contest ids as UUID values: a Go string for a uuid column makes pgx fail the binary
	// encoding, build an error and retry through text, which is not the database's cost.
	uuids := make([]pgtype.UUID, len(contestIDs))
	for i, id := range contestIDs {
		if err := uuids[i].Scan(id); err != nil {
			return res, err
		}
	}
	workers := make([]*pgx.Conn, conns)
	cpuBefore := make([]float64, conns)
	for i := range workers {
		c, err := pgx.Connect(ctx, sch.URL(appCeiling))
		if err != nil {
			return res, err
		}
		defer func() { _ = c.Close(context.WithoutCancel(ctx)) }()
		workers[i] = c
		cpuBefore[i], _, _ = procstat.Times(int(c.PgConn().PID()))
	}

	evColumns := []string{"event_id", "type", "rep_id", "team_id", "deal_id", "occurred_at", "amount", "units", "product", "activity", "changed", "source"}
	coColumns := []string{"event_id", "contest_id", "period_key", "entrant", "rep_id", "delta"}
	insert := func(conn *pgx.Conn, b ceilingBatch) (int64, error) {
		var rows int64
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			n, err := tx.CopyFrom(ctx, pgx.Identifier{evTable}, evColumns, pgx.CopyFromSlice(len(b.events), func(i int) ([]any, error) {
				e := &b.events[i]
				var amount, units any
				if e.Type == event.DealWon || e.Type == event.DealUpdated {
					amount = int64(e.Amount)
				}
				if e.Type.IsDeal() {
					units = e.Units
				}
				return []any{e.ID, string(e.Type), repID(e.Rep), teamID(g.team(e.Rep)), nullable(e.DealID), e.At, amount, units,
					nullable(e.Product), nullable(e.Activity), true, "bench/" + strconv.Itoa(e.Rep%6) + "/" + strconv.Itoa(b.first+i)}, nil
			}))
			rows += n
			if err != nil || !withContributions {
				return err
			}
			var co [][]any
			for i, cs := range b.contribs {
				e := &b.events[i]
				for _, c := range cs {
					co = append(co, []any{e.ID, uuids[c.Contest], c.Period, c.Entrant, repID(e.Rep), int64(c.Delta)})
				}
			}
			n, err = tx.CopyFrom(ctx, pgx.Identifier{coTable}, coColumns, pgx.CopyFromRows(co))
			rows += n
			return err
		})
		return rows, err
	}

	start := time.Now()
	eg, ectx := errgroup.WithContext(ctx)
	counts := make([]int64, conns)
	for w := range conns {
		eg.Go(func() error {
			for i := w; i < len(data); i += conns {
				if ectx.Err() != nil {
					return ectx.Err()
				}
				n, err := insert(workers[w], data[i])
				counts[w] += n
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return res, fmt.Errorf("ceiling %s: %w", name, err)
	}
	res.Seconds = time.Since(start).Seconds()
	for w := range conns {
		res.Rows += counts[w]
		after, _, _ := procstat.Times(int(workers[w].PgConn().PID()))
		res.BackendCPU += after - cpuBefore[w]
	}
	res.EventsPerSecond = float64(g.Events) / res.Seconds
	res.RowsPerSecond = float64(res.Rows) / res.Seconds
	return res, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// kafkaResult is the rate at which a plain kafka-go group reader, configured as the consumer's,
// drains the topic with no processing: fetch, and commit every batch.
type kafkaResult struct {
	Batch         int     `json:"batch_size"`
	Run           int     `json:"run"`
	Events        int     `json:"events"`
	JoinSeconds   float64 `json:"join_seconds"`   // until the first message
	SteadySeconds float64 `json:"steady_seconds"` // first message to last commit
	SteadyRate    float64 `json:"steady_events_per_second"`
	GoCPU         float64 `json:"go_cpu_seconds"`
	KafkaCPU      float64 `json:"kafka_cpu_seconds"`
}

func kafkaDrain(ctx context.Context, s *drainSpec, batch, run int) (kafkaResult, error) {
	res := kafkaResult{Batch: batch, Run: run, Events: s.gen.Events}
	group := bench.Name("ingestbench-raw-")
	defer func() { _ = s.admin.DeleteGroups(context.WithoutCancel(ctx), group) }()
	// As internal/kafka.NewConsumer configures its reader.
	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:           s.base.KafkaBrokers,
		Topic:             s.topic,
		GroupID:           group,
		SessionTimeout:    s.base.KafkaSessionTimeout,
		HeartbeatInterval: s.base.KafkaSessionTimeout / 10,
		RebalanceTimeout:  s.base.KafkaSessionTimeout,
		JoinGroupBackoff:  500 * time.Millisecond,
		StartOffset:       kafkago.FirstOffset,
		MinBytes:          1,
		MaxBytes:          8 << 20,
		MaxWait:           250 * time.Millisecond,
		QueueCapacity:     batch,
		ReadBatchTimeout:  5 * time.Second,
		CommitInterval:    0,
	})
	defer func() { _ = r.Close() }()
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	before := s.svc.sample()
	t0 := time.Now()
	var first time.Time
	msgs := make([]kafkago.Message, 0, batch)
	for i := 0; i < s.gen.Events; i++ {
		m, err := r.FetchMessage(cctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return res, fmt.Errorf("kafka drain: %d of %d messages after %v", i, s.gen.Events, s.timeout)
			}
			return res, err
		}
		if i == 0 {
			first = time.Now()
			res.JoinSeconds = first.Sub(t0).Seconds()
		}
		msgs = append(msgs, m)
		if len(msgs) == batch || i == s.gen.Events-1 {
			if err := r.CommitMessages(cctx, msgs...); err != nil {
				return res, err
			}
			msgs = msgs[:0]
		}
	}
	res.SteadySeconds = time.Since(first).Seconds()
	res.SteadyRate = float64(s.gen.Events) / res.SteadySeconds
	after := s.svc.sample()
	res.GoCPU, res.KafkaCPU = after.self-before.self, after.kafka-before.kafka
	return res, nil
}
