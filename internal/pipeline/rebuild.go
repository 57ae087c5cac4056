package pipeline

import (
	"context"
	"log/slog"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/ingest"
	"bullpen/internal/target"
)

// Source is what a rebuild reads: the ledger's standings, directory, points balances and
// attainment of targets.
type Source interface {
	Generation(ctx context.Context) (string, error)
	AllRows(ctx context.Context, fn func([]ingest.Row) error) error
	AllReps(ctx context.Context, fn func([]bullpen.Rep) error) error
	AllBalances(ctx context.Context, fn func(map[string]bullpen.Balance) error) error
	AllAttainment(ctx context.Context, fn func([]target.Value) error) error
}

// Target is what a rebuild writes: the projection.
type Target interface {
	Projection
	Generation(ctx context.Context) (string, error)
	SetGeneration(ctx context.Context, g string) error
	Flush(ctx context.Context) error
}

// Rebuild throws the projection away and writes it again from the ledger. The generation mark
// is written last, so a rebuild cut short is redone at the next start.
func Rebuild(ctx context.Context, from Source, to Target) error {
	gen, err := from.Generation(ctx)
	if err != nil {
		return err
	}
	if err := to.Flush(ctx); err != nil {
		return err
	}
	if err := from.AllReps(ctx, func(r []bullpen.Rep) error { return to.SetReps(ctx, r) }); err != nil {
		return err
	}
	if err := from.AllRows(ctx, func(r []ingest.Row) error { return to.SetRows(ctx, r) }); err != nil {
		return err
	}
	if err := from.AllBalances(ctx, func(b map[string]bullpen.Balance) error { return to.SetBalances(ctx, b) }); err != nil {
		return err
	}
	if err := from.AllAttainment(ctx, func(v []target.Value) error { return to.SetAttainment(ctx, v) }); err != nil {
		return err
	}
	return to.SetGeneration(ctx, gen)
}

// EnsureProjection rebuilds the projection when it is empty (Redis lost) or was built from
// another ledger; it reports whether it rebuilt.
func EnsureProjection(ctx context.Context, from Source, to Target) (bool, error) {
	want, err := from.Generation(ctx)
	if err != nil {
		return false, err
	}
	have, err := to.Generation(ctx)
	if err != nil {
		return false, err
	}
	if have == want {
		return false, nil
	}
	return true, Rebuild(ctx, from, to)
}

// WatchProjection checks the projection every interval and rebuilds it when Redis has lost it
// (restarted empty, flushed), so boards come back without waiting for the next event. It runs
// beside the batches: a batch's rows written during a rebuild carry newer versions than the
// rebuild's, and the projection keeps the newest.
func WatchProjection(ctx context.Context, from Source, to Target, interval time.Duration, log *slog.Logger) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		rebuilt, err := EnsureProjection(ctx, from, to)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("projection check failed; will try again", "err", err)
		case rebuilt:
			log.Info("projection was lost and has been rebuilt from the ledger")
		}
	}
}
