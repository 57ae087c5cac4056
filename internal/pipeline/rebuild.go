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

// Recorded is the ledger's record of the balances that writers outside a batch (a contest's
// final, an adjustment) changed and write to the projection after their commit, which may fail
// or be cut short (migration 019).
type Recorded interface {
	// ProjectBalances hands the ledger's balances of up to limit recorded reps to write and
	// forgets them once it returned nil; it says how many records it took.
	ProjectBalances(ctx context.Context, limit int, write func(map[string]bullpen.Balance) error) (int, error)
}

// recordedPage is how many records one ProjectBalances call takes.
const recordedPage = 1000

// ProjectRecorded writes the balances the ledger recorded as changed outside a batch, until
// none is left. Each is the ledger's current balance with its version, so one that reached
// the projection already, or a newer one, is kept.
func ProjectRecorded(ctx context.Context, from Recorded, to Projection) error {
	for {
		n, err := from.ProjectBalances(ctx, recordedPage, func(b map[string]bullpen.Balance) error {
			return to.SetBalances(ctx, b)
		})
		if err != nil || n < recordedPage {
			return err
		}
	}
}

// WatchProjection checks the projection every interval and rebuilds it when Redis has lost it
// (restarted empty, flushed), so boards come back without waiting for the next event; then it
// writes the balances recorded as changed outside a batch (ProjectRecorded), so one whose
// write failed after its commit is right again within an interval of Redis answering. It runs
// beside the batches: a batch's rows written during a rebuild carry newer versions than the
// rebuild's, and the projection keeps the newest.
func WatchProjection(ctx context.Context, from interface {
	Source
	Recorded
}, to Target, interval time.Duration, log *slog.Logger) error {
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
			continue
		case rebuilt:
			log.Info("projection was lost and has been rebuilt from the ledger")
		}
		if err := ProjectRecorded(ctx, from, to); err != nil && ctx.Err() == nil {
			log.Warn("writing recorded balances failed; will try again", "err", err)
		}
	}
}
