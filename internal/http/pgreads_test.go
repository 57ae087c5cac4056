package http_test

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	httpapi "bullpen/internal/http"
	"bullpen/internal/target"
)

// pgReads stands between the server and the PostgreSQL reads a rep's page and its socket's
// snapshot could make (the rep, its targets, the open contests, its balance): it counts their
// calls and, once off, fails them.
type pgReads struct {
	rep     httpapi.RepReader
	targets httpapi.TargetReader
	open    httpapi.ContestReader
	ledger  httpapi.LedgerReader

	calls atomic.Int64
	off   atomic.Bool
}

var errPostgresOff = errors.New("postgresql is off in this test")

// wire puts the counting reads in place of the wiring's.
func (p *pgReads) wire(d *httpapi.Deps) {
	p.rep, p.targets, p.open, p.ledger = d.RepReader, d.TargetReader, d.ContestReader, d.LedgerReader
	d.RepReader, d.TargetReader, d.ContestReader, d.LedgerReader = p, p, p, p
}

func (p *pgReads) use() error {
	p.calls.Add(1)
	if p.off.Load() {
		return errPostgresOff
	}
	return nil
}

func (p *pgReads) SearchReps(ctx context.Context, q string, limit, offset int) ([]bullpen.Rep, error) {
	if err := p.use(); err != nil {
		return nil, err
	}
	return p.rep.SearchReps(ctx, q, limit, offset)
}

func (p *pgReads) Rep(ctx context.Context, id string) (bullpen.Rep, error) {
	if err := p.use(); err != nil {
		return bullpen.Rep{}, err
	}
	return p.rep.Rep(ctx, id)
}

func (p *pgReads) RepsByID(ctx context.Context, ids []string) (map[string]bullpen.Rep, error) {
	if err := p.use(); err != nil {
		return nil, err
	}
	return p.rep.RepsByID(ctx, ids)
}

func (p *pgReads) TargetSets(ctx context.Context, f target.Filter) ([]target.Stored, error) {
	if err := p.use(); err != nil {
		return nil, err
	}
	return p.targets.TargetSets(ctx, f)
}

func (p *pgReads) CurrentTargetVersions(ctx context.Context, now time.Time) (map[int64]int64, error) {
	if err := p.use(); err != nil {
		return nil, err
	}
	return p.targets.CurrentTargetVersions(ctx, now)
}

func (p *pgReads) Contest(ctx context.Context, id string) (*contest.Contest, error) {
	if err := p.use(); err != nil {
		return nil, err
	}
	return p.open.Contest(ctx, id)
}

func (p *pgReads) Contests(ctx context.Context, f contest.Filter) ([]*contest.Contest, error) {
	if err := p.use(); err != nil {
		return nil, err
	}
	return p.open.Contests(ctx, f)
}

func (p *pgReads) OpenContests(ctx context.Context, now time.Time) ([]*contest.Contest, error) {
	if err := p.use(); err != nil {
		return nil, err
	}
	return p.open.OpenContests(ctx, now)
}

func (p *pgReads) Ledger(ctx context.Context, repID string, limit, offset int) ([]bullpen.LedgerEntry, int64, int, error) {
	if err := p.use(); err != nil {
		return nil, 0, 0, err
	}
	return p.ledger.Ledger(ctx, repID, limit, offset)
}

func (p *pgReads) Balances(ctx context.Context, repIDs []string) (map[string]bullpen.Balance, error) {
	if err := p.use(); err != nil {
		return nil, err
	}
	return p.ledger.Balances(ctx, repIDs)
}
