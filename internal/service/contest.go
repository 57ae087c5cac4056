package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"bullpen/internal/contest"
	"bullpen/internal/ingest"
)

// ContestStore is the ledger's side of the contest use-cases.
type ContestStore interface {
	// CreateContest stores a normalized contest with its audit record and counts what the
	// ledger already holds for it, in one transaction; it fills in the id and timestamps.
	CreateContest(ctx context.Context, c *contest.Contest) error
	// ChangeContest locks the contest, calls ch.Decide on it and writes what it decided.
	ChangeContest(ctx context.Context, ch contest.Change) (*contest.Contest, contest.Effect, error)
	Contest(ctx context.Context, id string) (*contest.Contest, error)
	// ContestRows are the contest's board rows as the ledger counts them.
	ContestRows(ctx context.Context, contestID string) ([]ingest.Row, error)
}

// BoardLoader replaces a contest's boards in the live projection.
type BoardLoader interface {
	DeleteContest(ctx context.Context, contestID string) error
	SetRows(ctx context.Context, rows []ingest.Row) error
}

// ContestDeps is what the contest use-cases need.
type ContestDeps struct {
	Store  ContestStore
	Boards BoardLoader
	Logger *slog.Logger
	Now    func() time.Time // default time.Now
}

// Contests creates, changes, ends and cancels contests.
type Contests struct {
	store  ContestStore
	boards BoardLoader
	log    *slog.Logger
	now    func() time.Time
}

// NewContests builds the contest use-cases.
func NewContests(d ContestDeps) *Contests {
	now, log := orDefaults(d.Now, d.Logger)
	return &Contests{store: d.Store, boards: d.Boards, log: log, now: now}
}

// Create checks and stores a new contest (c.CreatedBy says who), counts the ledger so far for
// it and loads its boards, and returns it as stored: times as the database gives them back.
func (s *Contests) Create(ctx context.Context, c *contest.Contest) (*contest.Contest, error) {
	if err := c.Normalize(); err != nil {
		return nil, err
	}
	if err := s.store.CreateContest(ctx, c); err != nil {
		return nil, err
	}
	s.loadBoards(ctx, c.ID)
	return s.store.Contest(ctx, c.ID)
}

// ContestPatch is a change of a stored contest's fields.
type ContestPatch struct {
	ID, By string
	// Detail is the change as asked for, kept in the audit trail.
	Detail json.RawMessage
	// Edit sets the new fields on the stored contest; an error refuses the change.
	Edit func(*contest.Contest) error
}

// Patch changes a contest by p.Edit under the domain's rules (contest.Patch) and, when its
// rules changed, counts it again and reloads its boards. It returns the contest as stored.
func (s *Contests) Patch(ctx context.Context, p ContestPatch) (*contest.Contest, error) {
	now := s.now()
	k, effect, err := s.store.ChangeContest(ctx, contest.Change{
		ID: p.ID, By: p.By, Action: "contest.update", Detail: p.Detail, Rules: true,
		Decide: func(k *contest.Contest) (contest.Effect, error) { return k.Patch(now, p.Edit) },
	})
	if err != nil {
		return nil, err
	}
	if effect == contest.Recount {
		s.loadBoards(ctx, k.ID)
	}
	return k, nil
}

// End ends a live contest now (its grace still applies); by is the token doing it.
func (s *Contests) End(ctx context.Context, id, by string) (*contest.Contest, error) {
	now := s.now()
	k, _, err := s.store.ChangeContest(ctx, contest.Change{ID: id, By: by, Action: "contest.end",
		Decide: func(k *contest.Contest) (contest.Effect, error) { return k.End(now) }})
	return k, err
}

// Cancel cancels a contest now: no prizes, kept for history; by is the token doing it.
func (s *Contests) Cancel(ctx context.Context, id, by string) (*contest.Contest, error) {
	now := s.now()
	k, _, err := s.store.ChangeContest(ctx, contest.Change{ID: id, By: by, Action: "contest.cancel", Removes: true,
		Decide: func(k *contest.Contest) (contest.Effect, error) { return k.Cancel(now) }})
	return k, err
}

// loadBoards replaces a contest's boards in the projection with the ledger's, after a (re)count.
// The boards are emptied before the rows are read, so that a row an ingest batch writes
// meanwhile is either in what is read or newer than it (and kept: older versions never
// overwrite newer). A failure is logged, not returned: the change is committed, and a
// projection rebuild heals it.
func (s *Contests) loadBoards(ctx context.Context, contestID string) {
	err := s.boards.DeleteContest(ctx, contestID)
	if err == nil {
		rows, rerr := s.store.ContestRows(ctx, contestID)
		if err = rerr; err == nil {
			err = s.boards.SetRows(ctx, rows)
		}
	}
	if err != nil {
		s.log.Error("load contest boards into redis", "contest_id", contestID, "err", err)
	}
}
