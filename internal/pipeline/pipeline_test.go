package pipeline_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
	"bullpen/internal/pipeline"
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
