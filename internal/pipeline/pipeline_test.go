package pipeline_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
	"bullpen/internal/pipeline"
	"bullpen/internal/target"
)

// projection records what is written to it, in order; failBalances makes that many
// SetBalances calls fail first.
type projection struct {
	calls        []string
	balances     map[string]bullpen.Balance
	failBalances int
	generation   string
}

func (p *projection) SetRows(_ context.Context, rows []ingest.Row) error {
	p.calls = append(p.calls, "rows")
	return nil
}

func (p *projection) SetReps(_ context.Context, reps []bullpen.Rep) error {
	p.calls = append(p.calls, "reps")
	return nil
}

func (p *projection) SetAttainment(_ context.Context, vals []target.Value) error {
	p.calls = append(p.calls, "attainment")
	return nil
}

func (p *projection) SetBalances(_ context.Context, b map[string]bullpen.Balance) error {
	if p.failBalances > 0 {
		p.failBalances--
		return errors.New("redis down")
	}
	p.calls = append(p.calls, "balances")
	if p.balances == nil {
		p.balances = map[string]bullpen.Balance{}
	}
	maps.Copy(p.balances, b)
	return nil
}

func (p *projection) Generation(context.Context) (string, error) { return p.generation, nil }

func (p *projection) SetGeneration(_ context.Context, g string) error {
	p.calls = append(p.calls, "generation")
	p.generation = g
	return nil
}

func (p *projection) Flush(context.Context) error {
	p.calls = append(p.calls, "flush")
	p.balances, p.generation = nil, ""
	return nil
}

type ledger struct{ res ingest.Result }

func (l ledger) ApplyBatch(context.Context, []event.Event, []string) (ingest.Result, error) {
	return l.res, nil
}

func TestProcessWritesBalancesToTheProjection(t *testing.T) {
	proj := &projection{failBalances: 2}
	p := &pipeline.Pipeline{
		Ledger:     ledger{ingest.Result{Applied: 1, Balances: map[string]bullpen.Balance{"ana": {Points: 200, Version: 8}, "bo": {Points: -5, Version: 3}}}},
		Projection: proj,
		Currency:   "USD",
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Backoff:    pipeline.Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond},
	}
	msg := pipeline.Message{Key: []byte("ana"), Source: "test", Value: []byte(`{"event_id":"e1","type":"deal.won",
		"occurred_at":"2026-01-05T10:00:00Z","rep_id":"ana","deal_id":"D1","amount":100}`)}
	if err := p.Process(context.Background(), []pipeline.Message{msg}); err != nil {
		t.Fatal(err)
	}
	if proj.balances["ana"] != (bullpen.Balance{Points: 200, Version: 8}) || proj.balances["bo"] != (bullpen.Balance{Points: -5, Version: 3}) ||
		len(proj.balances) != 2 {
		t.Fatalf("balances written %v", proj.balances)
	}
	if proj.calls[len(proj.calls)-1] != "balances" {
		t.Fatalf("calls %v: balances must follow the rows", proj.calls)
	}
}

type source struct {
	generation string
	balances   []map[string]bullpen.Balance // pages
	err        error
}

func (s source) Generation(context.Context) (string, error) { return s.generation, nil }

func (s source) AllRows(_ context.Context, fn func([]ingest.Row) error) error {
	return fn([]ingest.Row{{BoardKey: ingest.BoardKey{ContestID: "c", PeriodKey: "all", Entrant: "ana"}}})
}

func (s source) AllReps(_ context.Context, fn func([]bullpen.Rep) error) error {
	return fn([]bullpen.Rep{{RepID: "ana"}})
}

func (s source) AllAttainment(context.Context, func([]target.Value) error) error { return nil }

func (s source) AllBalances(_ context.Context, fn func(map[string]bullpen.Balance) error) error {
	for _, page := range s.balances {
		if err := fn(page); err != nil {
			return err
		}
	}
	return s.err
}

func TestRebuildRestoresBalancesBeforeMarkingTheGeneration(t *testing.T) {
	to := &projection{balances: map[string]bullpen.Balance{"stale": {Points: 1, Version: 1}}}
	from := source{generation: "g1", balances: []map[string]bullpen.Balance{
		{"ana": {Points: 10, Version: 4}, "bo": {}}, {"cy": {Points: -3, Version: 2}}}}
	if err := pipeline.Rebuild(context.Background(), from, to); err != nil {
		t.Fatal(err)
	}
	want := map[string]bullpen.Balance{"ana": {Points: 10, Version: 4}, "bo": {}, "cy": {Points: -3, Version: 2}}
	if !maps.Equal(to.balances, want) {
		t.Fatalf("balances after rebuild %v, want %v", to.balances, want)
	}
	if to.generation != "g1" || to.calls[len(to.calls)-1] != "generation" {
		t.Fatalf("calls %v, generation %q", to.calls, to.generation)
	}
}

func TestRebuildCutShortLeavesNoGeneration(t *testing.T) {
	to := &projection{}
	from := source{generation: "g1", balances: []map[string]bullpen.Balance{{"ana": {Points: 10, Version: 1}}}, err: errors.New("connection lost")}
	if err := pipeline.Rebuild(context.Background(), from, to); err == nil {
		t.Fatal("rebuild succeeded though the balances could not be read")
	}
	if to.generation != "" {
		t.Fatalf("generation %q marked after a rebuild cut short", to.generation)
	}
}

// slowLedger takes its time, so the ledger step is seen to.
type slowLedger struct {
	ledger
	d time.Duration
}

func (l slowLedger) ApplyBatch(ctx context.Context, e []event.Event, s []string) (ingest.Result, error) {
	time.Sleep(l.d)
	return l.ledger.ApplyBatch(ctx, e, s)
}

func TestProcessReportsStepTimesAndEventAge(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := &pipeline.Pipeline{
		Ledger:     slowLedger{ledger{ingest.Result{Applied: 2}}, 30 * time.Millisecond},
		Projection: &projection{},
		Currency:   "USD",
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Backoff:    pipeline.Backoff{Min: time.Millisecond, Max: 2 * time.Millisecond},
		Metrics:    pipeline.NewMetrics(reg),
	}
	body := func(id string) []byte {
		return []byte(`{"event_id":"` + id + `","type":"activity","activity":"call","occurred_at":"2026-01-05T10:00:00Z","rep_id":"ana"}`)
	}
	now := time.Now()
	msgs := []pipeline.Message{
		{Key: []byte("ana"), Source: "t/0/1", Value: body("e1"), Time: now.Add(-time.Second)},
		{Key: []byte("ana"), Source: "t/0/2", Value: body("e2"), Time: now.Add(-3 * time.Second)}, // the oldest
	}
	if err := p.Process(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	hist := map[string]*dto.Histogram{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			for _, l := range m.GetLabel() {
				name += "/" + l.GetValue()
			}
			hist[name] = m.GetHistogram()
		}
	}
	age := hist["bullpen_consumer_event_age_seconds"]
	if age.GetSampleCount() != 1 || age.GetSampleSum() < 3 || age.GetSampleSum() > 60 {
		t.Errorf("event age: %d samples, sum %v s; want one, of the oldest event (3 s old)", age.GetSampleCount(), age.GetSampleSum())
	}
	ledger, proj := hist["bullpen_consumer_step_seconds/ledger"], hist["bullpen_consumer_step_seconds/projection"]
	if ledger.GetSampleCount() != 1 || ledger.GetSampleSum() < 0.03 {
		t.Errorf("ledger step: %d samples, sum %v s; want one of at least the ledger's 30 ms", ledger.GetSampleCount(), ledger.GetSampleSum())
	}
	if proj.GetSampleCount() != 1 || proj.GetSampleSum() >= ledger.GetSampleSum() {
		t.Errorf("projection step: %d samples, sum %v s (ledger %v s)", proj.GetSampleCount(), proj.GetSampleSum(), ledger.GetSampleSum())
	}
	if b := hist["bullpen_consumer_batch_seconds"]; b.GetSampleSum() < ledger.GetSampleSum()+proj.GetSampleSum()-1e-9 {
		t.Errorf("batch %v s is less than its steps", b.GetSampleSum())
	}
}

// outbox hands out its messages in pages, taking a moment per page.
type outbox struct {
	mu     sync.Mutex
	queued []bullpen.Queued
	d      time.Duration
}

func (o *outbox) DrainOutbox(ctx context.Context, limit int, publish func([]bullpen.Queued) error) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	page := o.queued[:min(limit, len(o.queued))]
	if len(page) == 0 {
		return 0, nil
	}
	time.Sleep(o.d)
	if err := publish(page); err != nil {
		return 0, err
	}
	o.queued = o.queued[len(page):]
	return len(page), nil
}

type batcher struct {
	mu   sync.Mutex
	sent int
}

func (b *batcher) PublishQueued(ctx context.Context, msgs []bullpen.Queued) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent += len(msgs)
	return nil
}

func TestPublisherTimesEachPageItPublishes(t *testing.T) {
	reg := prometheus.NewRegistry()
	box := &outbox{queued: make([]bullpen.Queued, 1500), d: 20 * time.Millisecond}
	sent := &batcher{}
	p := &pipeline.Publisher{Outbox: box, Channels: sent, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: pipeline.NewMetrics(reg)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	p.Kick()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sent.mu.Lock()
		n := sent.sent
		sent.mu.Unlock()
		if n == 1500 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("published %d of 1500", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if f.GetName() != "bullpen_consumer_step_seconds" || m.GetLabel()[0].GetValue() != "publish" {
				continue
			}
			h := m.GetHistogram()
			// Two pages (1,000 and 500); drains that found nothing are not counted.
			if h.GetSampleCount() != 2 || h.GetSampleSum() < 0.04 {
				t.Fatalf("publish step: %d samples, sum %v s; want two pages of at least 20 ms", h.GetSampleCount(), h.GetSampleSum())
			}
			return
		}
	}
	t.Fatal("no publish step in the metrics")
}
