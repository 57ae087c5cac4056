package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
	"bullpen/internal/kafka"
	"bullpen/internal/pipeline"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
)

// runTimedConsumer is app.RunConsumer's consumer part (no HTTP listener) with timers around
// each step, to say where a drain's wall time goes. It must stay wired as RunConsumer is; the
// measured number always comes from RunConsumer itself.
func runTimedConsumer(ctx context.Context, cfg config.Config, log *slog.Logger, tp *phases) error {
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	// The same pool settings plus a tracer that times every statement. DB keeps its other state.
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		db.Close()
		return err
	}
	pcfg.MaxConns = db.Pool.Config().MaxConns
	pcfg.ConnConfig.Tracer = tp
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		db.Close()
		return err
	}
	db.Pool.Close()
	db.Pool = pool
	defer db.Close()
	db.Grace = cfg.Grace // as RunConsumer does
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	store, err := redis.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	if _, err := pipeline.EnsureProjection(ctx, db, store); err != nil {
		return err
	}
	tp.reset() // start-up statements are not the drain's
	dlq := kafka.NewDeadLetters(kafka.Cluster{Brokers: cfg.KafkaBrokers}, cfg.KafkaDLQTopic)
	defer func() { _ = dlq.Close() }()
	p := &pipeline.Pipeline{
		Ledger: timedLedger{db, tp}, Projection: timedProjection{store, tp}, DeadLetters: dlq,
		Currency: cfg.Currency, Log: log,
		Backoff: pipeline.Backoff{Min: 100 * time.Millisecond, Max: 5 * time.Second},
		Metrics: pipeline.NewMetrics(prometheus.NewRegistry()),
	}
	process := func(ctx context.Context, msgs []pipeline.Message) error {
		start := time.Now()
		err := p.Process(ctx, msgs)
		tp.add(&tp.process, start)
		tp.mu.Lock()
		tp.batches++
		tp.mu.Unlock()
		return err
	}
	consumer := kafka.NewConsumer(kafka.ConsumerConfig{
		Cluster: kafka.Cluster{Brokers: cfg.KafkaBrokers}, Topic: cfg.KafkaTopic, Group: cfg.KafkaGroup,
		SessionTimeout: cfg.KafkaSessionTimeout, BatchSize: cfg.BatchSize, BatchWait: cfg.BatchWait,
	}, process, log)
	return consumer.Run(ctx)
}

// timedLedger and timedProjection time the calls the drain is made of; embedding keeps every
// other method the pipeline may ask for (its interfaces grow), untimed.
type timedLedger struct {
	*postgres.DB
	tp *phases
}

func (l timedLedger) ApplyBatch(ctx context.Context, events []event.Event, sources []string) (ingest.Result, error) {
	start := time.Now()
	defer l.tp.add(&l.tp.apply, start)
	return l.DB.ApplyBatch(ctx, events, sources)
}

type timedProjection struct {
	*redis.Store
	tp *phases
}

func (p timedProjection) SetRows(ctx context.Context, rows []ingest.Row) error {
	start := time.Now()
	defer p.tp.add(&p.tp.setRows, start)
	p.tp.mu.Lock()
	p.tp.rows += int64(len(rows))
	p.tp.mu.Unlock()
	return p.Store.SetRows(ctx, rows)
}

func (p timedProjection) SetReps(ctx context.Context, reps []bullpen.Rep) error {
	start := time.Now()
	defer p.tp.add(&p.tp.setReps, start)
	p.tp.mu.Lock()
	p.tp.reps += int64(len(reps))
	p.tp.mu.Unlock()
	return p.Store.SetReps(ctx, reps)
}

// phases collects wall time by step; it is also the pgx tracer that times each statement.
type phases struct {
	mu                               sync.Mutex
	process, apply, setRows, setReps time.Duration
	batches, rows, reps              int64
	statements                       map[string]*stmtTime
}

type stmtTime struct {
	d time.Duration
	n int64 // round trips: statements, or pipelines of them
	q int64 // statements (a pipeline counts each of its own)
}

func newPhases() *phases { return &phases{statements: map[string]*stmtTime{}} }

func (p *phases) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.statements = map[string]*stmtTime{}
}

func (p *phases) add(d *time.Duration, start time.Time) {
	el := time.Since(start)
	p.mu.Lock()
	*d += el
	p.mu.Unlock()
}

type traceKey struct{}

type traceStart struct {
	label   string
	at      time.Time
	queries int // statements in a pipeline
}

func (p *phases) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, traceKey{}, traceStart{label: statementLabel(data.SQL), at: time.Now()})
}

func (p *phases) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	p.end(ctx)
}

func (p *phases) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	return context.WithValue(ctx, traceKey{}, traceStart{label: "COPY " + strings.Join(data.TableName, "."), at: time.Now()})
}

func (p *phases) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromEndData) {
	p.end(ctx)
}

// TraceBatchStart times a pipeline (pgx.Batch) as one round trip, named by its first
// statement: the ledger's pipelines send one kind of work each.
func (p *phases) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	label, n := "pipeline", 0
	if data.Batch != nil && len(data.Batch.QueuedQueries) > 0 {
		label, n = "pipeline: "+statementLabel(data.Batch.QueuedQueries[0].SQL), len(data.Batch.QueuedQueries)
	}
	return context.WithValue(ctx, traceKey{}, traceStart{label: label, at: time.Now(), queries: n})
}

func (p *phases) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (p *phases) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchEndData) {
	p.end(ctx)
}

func (p *phases) end(ctx context.Context) {
	ts, ok := ctx.Value(traceKey{}).(traceStart)
	if !ok {
		return
	}
	el := time.Since(ts.at)
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.statements[ts.label]
	if s == nil {
		s = &stmtTime{}
		p.statements[ts.label] = s
	}
	s.d += el
	s.n++
	s.q += int64(max(ts.queries, 1))
}

// statementLabel names the ledger's statements (internal/postgres/ingest.go) briefly.
func statementLabel(sql string) string {
	known := []struct{ part, label string }{
		{"WITH ORDINALITY AS r(rep_id, lo, hi, cap", "achievements: read wins by day"},
		{"CROSS JOIN LATERAL (SELECT d.deal_id, d.amount", "achievements: read top deals, quotas, badges"},
		{"JOIN deals d ON d.rep_id = r.rep_id AND d.won", "achievements: read wins by day, top deals, quotas, badges"},
		{"INSERT INTO achievements", "achievements: award (and its ledger row)"},
		{"UPDATE achievements", "achievements: revoke (and its ledger row)"},
		{"pg_advisory_xact_lock($1, k)", "lock balances (advisory, per rep)"},
		{"coalesce(sum(l.points)", "sum balances"},
		{"FROM contributions WHERE event_id", "redelivery: touched standings"},
		{"FROM events WHERE event_id = ANY($1))", "redelivery: touched reps"},
		{"pg_advisory_xact_lock_shared", "advisory lock (shared)"},
		{"JOIN events e USING (event_id)", "dedupe: SELECT known events"},
		{"FROM contests", "SELECT active contests"},
		{"JOIN deals d USING (deal_id)", "SELECT deals FOR UPDATE"},
		{"UPDATE deals", "update stored deals (unnest)"},
		{"INSERT INTO standings", "upsert standings (unnest, RETURNING)"},
		{"INSERT INTO reps", "upsert reps (unnest, RETURNING)"},
		{" reps", "SELECT reps (directory)"},
	}
	for _, k := range known {
		if strings.Contains(sql, k.part) {
			return k.label
		}
	}
	s := strings.Join(strings.Fields(sql), " ")
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// phaseReport is where a timed drain's wall time went.
type phaseRow struct {
	Name     string  `json:"name"`
	Seconds  float64 `json:"seconds"`
	Share    float64 `json:"share_of_wall"`
	PerBatch float64 `json:"ms_per_batch"`
	Count    int64   `json:"count,omitempty"` // round trips
	// Statements per batch of the consumer: a pipeline counts each of its own.
	StatementsPerBatch float64 `json:"statements_per_batch,omitempty"`
}

type phasesReport struct {
	Batches    int64      `json:"batches"`
	RowsSet    int64      `json:"standings_rows_projected"`
	RepsSet    int64      `json:"reps_projected"`
	Steps      []phaseRow `json:"steps"`
	Statements []phaseRow `json:"statements"`
}

func (p *phases) report(wall float64) *phasesReport {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := float64(max(p.batches, 1))
	row := func(name string, d time.Duration, n int64) phaseRow {
		return phaseRow{Name: name, Seconds: round3(d.Seconds()), Share: round3(d.Seconds() / wall),
			PerBatch: round3(d.Seconds() * 1000 / b), Count: n}
	}
	var inStatements time.Duration
	r := &phasesReport{Batches: p.batches, RowsSet: p.rows, RepsSet: p.reps}
	for name, s := range p.statements {
		inStatements += s.d
		sr := row(name, s.d, s.n)
		sr.StatementsPerBatch = round3(float64(s.q) / b)
		r.Statements = append(r.Statements, sr)
	}
	slices.SortFunc(r.Statements, func(a, b phaseRow) int { return int((b.Seconds - a.Seconds) * 1e6) })
	outside := time.Duration(wall*float64(time.Second)) - p.process
	r.Steps = []phaseRow{
		row("outside Process: start-up, Kafka fetch and offset commit", outside, 0),
		row("Process: the rest (decode, validate; projection writes not timed below)", p.process-p.apply-p.setRows-p.setReps, 0),
		row("ApplyBatch: PostgreSQL statements (wall, round trips included)", inStatements, 0),
		row("ApplyBatch: Go between statements (ingest.Apply, encoding)", p.apply-inStatements, 0),
		row("SetRows: Redis (Lua per row, one pipeline)", p.setRows, 0),
		row("SetReps: Redis (HSET of the directory)", p.setReps, 0),
	}
	return r
}

func (r *phasesReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-74s %8s %6s %9s\n", "step", "seconds", "share", "ms/batch")
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "  %-74s %8.2f %5.1f%% %9.2f\n", s.Name, s.Seconds, 100*s.Share, s.PerBatch)
	}
	fmt.Fprintf(&b, "  PostgreSQL statements (wall, in ApplyBatch; a pipeline is one round trip)   %8s %6s %9s %s\n", "", "", "", "statements/batch")
	for _, s := range r.Statements {
		fmt.Fprintf(&b, "    %-72s %8.2f %5.1f%% %9.2f %8.1f\n", s.Name, s.Seconds, 100*s.Share, s.PerBatch, s.StatementsPerBatch)
	}
	return b.String()
}
