package service

import (
	"context"
	"log/slog"

	"bullpen/internal/bullpen"
)

// LedgerStore is the ledger's side of a manual adjustment.
type LedgerStore interface {
	// AddAdjustment records a manual entry for a rep of the directory, with its audit record
	// and the rep's feed notice, and returns it with the rep's balance after it.
	AddAdjustment(ctx context.Context, repID string, points int64, note, by string) (bullpen.LedgerEntry, bullpen.Balance, error)
}

// BalanceWriter puts balances into the live projection, keeping any newer one it holds.
type BalanceWriter interface {
	SetBalances(ctx context.Context, balances map[string]bullpen.Balance) error
}

// LedgerDeps is what the ledger use-cases need.
type LedgerDeps struct {
	Store    LedgerStore
	Balances BalanceWriter
	Logger   *slog.Logger
}

// Ledger makes manual entries in reps' points ledgers.
type Ledger struct {
	store    LedgerStore
	balances BalanceWriter
	log      *slog.Logger
}

// NewLedger builds the ledger use-cases.
func NewLedger(d LedgerDeps) *Ledger {
	_, log := orDefaults(nil, d.Logger)
	return &Ledger{store: d.Store, balances: d.Balances, log: log}
}

// Adjust records a manual entry of points for a rep, made by the token by, and returns it with
// the rep's balance after it.
func (s *Ledger) Adjust(ctx context.Context, repID string, points int64, note, by string) (bullpen.LedgerEntry, bullpen.Balance, error) {
	if err := bullpen.ValidateAdjustment(points, note); err != nil {
		return bullpen.LedgerEntry{}, bullpen.Balance{}, err
	}
	e, balance, err := s.store.AddAdjustment(ctx, repID, points, note, by)
	if err != nil {
		return bullpen.LedgerEntry{}, bullpen.Balance{}, err
	}
	// The ledger is the truth, and recorded the rep's balance as changed: a projection that
	// missed this is healed by the consumer's projection check (pipeline.WatchProjection), so
	// the committed entry is reported either way. The balance carries its version,
	// so a concurrent writer's newer balance that reached the projection first is kept.
	if err := s.balances.SetBalances(ctx, map[string]bullpen.Balance{repID: balance}); err != nil {
		s.log.Warn("write balance to redis", "rep_id", repID, "err", err)
	}
	return e, balance, nil
}
