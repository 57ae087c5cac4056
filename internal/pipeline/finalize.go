package pipeline

import (
	"context"
	"log/slog"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// Finals is where boards become final.
type Finals interface {
	NotifyLifecycle(ctx context.Context) (int, error)
	PendingFinals(ctx context.Context) ([]contest.PendingFinal, error)
	Finalize(ctx context.Context, c *contest.Contest, boards []string, closing bool) (map[string]bullpen.Balance, error)
}

// Watermark tells whether everything that arrived before a moment has been applied.
type Watermark interface {
	AppliedBefore(ctx context.Context, t time.Time) (bool, error)
}

// Balances receives the balances of reps whose points changed; a balance older than the one
// it holds is ignored.
type Balances interface {
	SetBalances(ctx context.Context, balances map[string]bullpen.Balance) error
}

// Finalizer makes boards final when their time has come: at the end of the period (or
// contest) plus the grace, and not before every event that arrived until then is applied.
type Finalizer struct {
	Finals    Finals
	Watermark Watermark
	Balances  Balances
	Grace     time.Duration
	Interval  time.Duration
	Now       func() time.Time
	Log       *slog.Logger
}

// Run checks every Interval until ctx ends.
func (f *Finalizer) Run(ctx context.Context) error {
	t := time.NewTicker(f.Interval)
	defer t.Stop()
	for {
		if err := f.Once(ctx); err != nil && ctx.Err() == nil {
			f.Log.Warn("finalizer: will try again", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Once finalizes whatever is due now.
func (f *Finalizer) Once(ctx context.Context) error {
	if _, err := f.Finals.NotifyLifecycle(ctx); err != nil {
		return err
	}
	pending, err := f.Finals.PendingFinals(ctx)
	if err != nil {
		return err
	}
	now := f.Now()
	for _, p := range pending {
		boards, closing, upTo := f.due(p, now)
		if len(boards) == 0 && !closing {
			continue
		}
		applied, err := f.Watermark.AppliedBefore(ctx, upTo)
		if err != nil {
			return err
		}
		if !applied {
			continue // events that arrived in time are still on their way through the ledger
		}
		balances, err := f.Finals.Finalize(ctx, p.Contest, boards, closing)
		if err != nil {
			return err
		}
		if len(balances) > 0 {
			if err := f.Balances.SetBalances(ctx, balances); err != nil {
				f.Log.Warn("finalizer: balances not projected; the projection check will write them", "err", err)
			}
		}
		f.Log.Info("boards final", "contest", p.Contest.ID, "boards", boards, "contest_final", closing)
	}
	return nil
}

// due returns the boards whose final moment has passed, whether the contest as a whole is
// over, and the latest of those moments (what the watermark must have passed).
func (f *Finalizer) due(p contest.PendingFinal, now time.Time) ([]string, bool, time.Time) {
	c := p.Contest
	var boards []string
	var upTo time.Time
	for _, key := range p.Boards {
		period, ok := c.PeriodByKey(key)
		if !ok {
			continue
		}
		if fin := c.FinalAt(period, f.Grace); fin != nil && !now.Before(*fin) {
			boards = append(boards, key)
			upTo = later(upTo, *fin)
		}
	}
	closing := false
	if end := c.EffectiveEnd(); end != nil && !now.Before(end.Add(f.Grace)) {
		closing = true
		upTo = later(upTo, end.Add(f.Grace))
	}
	return boards, closing, upTo
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
