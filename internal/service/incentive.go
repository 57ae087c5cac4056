package service

import (
	"context"
	"time"

	"bullpen/internal/incentive"
)

// IncentiveStore is the ledger's side of the incentive use-cases.
type IncentiveStore interface {
	// CreateIncentive stores a normalized incentive with its audit record and its launch notice,
	// holding ingest off meanwhile; it fills in the id and the launch time.
	CreateIncentive(ctx context.Context, i *incentive.Incentive) error
	// EndIncentive locks the incentive, lets end close it, and stores the close (by: who).
	EndIncentive(ctx context.Context, id, by string, end func(*incentive.Incentive) error) (*incentive.Incentive, error)
	Incentive(ctx context.Context, id string) (*incentive.Incentive, error)
}

// IncentiveDeps is what the incentive use-cases need.
type IncentiveDeps struct {
	Store IncentiveStore
	Now   func() time.Time // default time.Now
}

// Incentives launches and ends spot incentives.
type Incentives struct {
	store IncentiveStore
	now   func() time.Time
}

// NewIncentives builds the incentive use-cases.
func NewIncentives(d IncentiveDeps) *Incentives {
	now, _ := orDefaults(d.Now, nil)
	return &Incentives{store: d.Store, now: now}
}

// Create checks and launches a new incentive (i.CreatedBy says who), and returns it as stored:
// times as the database gives them back.
func (s *Incentives) Create(ctx context.Context, i *incentive.Incentive) (*incentive.Incentive, error) {
	if err := i.Normalize(s.now()); err != nil {
		return nil, err
	}
	if err := s.store.CreateIncentive(ctx, i); err != nil {
		return nil, err
	}
	return s.store.Incentive(ctx, i.ID)
}

// End closes an incentive now; by is the token doing it. One already closed is a conflict.
func (s *Incentives) End(ctx context.Context, id, by string) (*incentive.Incentive, error) {
	now := s.now()
	return s.store.EndIncentive(ctx, id, by, func(i *incentive.Incentive) error { return i.End(now) })
}
