package service_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/ingest"
	"bullpen/internal/service"
)

var now = time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// fakeContests keeps contests in memory and stands for the ledger's transaction: ChangeContest
// writes what Decide changed only when it says so.
type fakeContests struct {
	stored  map[string]*contest.Contest
	rows    []ingest.Row
	changes []contest.Change
	written int
}

func (f *fakeContests) CreateContest(_ context.Context, c *contest.Contest) error {
	c.ID = "c1"
	f.stored[c.ID] = clone(c)
	return nil
}

func (f *fakeContests) ChangeContest(_ context.Context, ch contest.Change) (*contest.Contest, contest.Effect, error) {
	f.changes = append(f.changes, ch)
	c, ok := f.stored[ch.ID]
	if !ok {
		return nil, contest.Unchanged, bullpen.Errorf(bullpen.ENotFound, "contest %s not found", ch.ID)
	}
	c = clone(c)
	effect, err := ch.Decide(c)
	if err != nil || effect == contest.Unchanged {
		return c, effect, err
	}
	f.stored[ch.ID] = clone(c)
	f.written++
	return c, effect, nil
}

func (f *fakeContests) Contest(_ context.Context, id string) (*contest.Contest, error) {
	c, ok := f.stored[id]
	if !ok {
		return nil, bullpen.Errorf(bullpen.ENotFound, "contest %s not found", id)
	}
	return clone(c), nil
}

func (f *fakeContests) ContestRows(context.Context, string) ([]ingest.Row, error) { return f.rows, nil }

func clone(c *contest.Contest) *contest.Contest { v := *c; return &v }

// fakeBoards records board reloads, failing them when told to.
type fakeBoards struct {
	deleted []string
	set     [][]ingest.Row
	fail    error
}

func (b *fakeBoards) DeleteContest(_ context.Context, id string) error {
	b.deleted = append(b.deleted, id)
	return b.fail
}

func (b *fakeBoards) SetRows(_ context.Context, rows []ingest.Row) error {
	b.set = append(b.set, rows)
	return nil
}

func newContests(t *testing.T) (*service.Contests, *fakeContests, *fakeBoards, *bytes.Buffer) {
	t.Helper()
	store := &fakeContests{stored: map[string]*contest.Contest{},
		rows: []ingest.Row{{BoardKey: ingest.BoardKey{ContestID: "c1", PeriodKey: "all", Entrant: "ana"}, Score: 100}}}
	boards := &fakeBoards{}
	var logs bytes.Buffer
	s := service.NewContests(service.ContestDeps{Store: store, Boards: boards, Now: clock,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	return s, store, boards, &logs
}

func sprint(start time.Time) *contest.Contest {
	end := start.Add(30 * 24 * time.Hour)
	return &contest.Contest{Name: " Sprint ", Metric: contest.MetricRevenue, StartsAt: start, EndsAt: &end, CreatedBy: "tok_1"}
}

func TestCreateRefusesABadContestWithoutWriting(t *testing.T) {
	s, store, boards, _ := newContests(t)
	c := sprint(now)
	c.Metric = "smiles"
	_, err := s.Create(context.Background(), c)
	var be *bullpen.Error
	if !errors.As(err, &be) || be.Field != "metric" {
		t.Fatalf("err %v, want invalid metric", err)
	}
	if len(store.stored) != 0 || len(boards.deleted) != 0 {
		t.Fatal("a refused contest was written")
	}
}

func TestCreateLoadsTheCountedBoardsAndReturnsTheContestAsStored(t *testing.T) {
	s, store, boards, _ := newContests(t)
	got, err := s.Create(context.Background(), sprint(now.Add(-time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "c1" || got.Name != "Sprint" || got.Scope != contest.ScopeRep {
		t.Fatalf("returned %+v, want the normalized contest as stored", got)
	}
	if got == store.stored["c1"] {
		t.Fatal("returned the caller's contest, not a read of the stored one")
	}
	if len(boards.deleted) != 1 || boards.deleted[0] != "c1" || len(boards.set) != 1 || len(boards.set[0]) != 1 {
		t.Fatalf("boards: deleted %v, set %v; want c1 emptied, then its counted rows", boards.deleted, boards.set)
	}
}

func TestABoardReloadFailureIsLoggedNotReturned(t *testing.T) {
	s, _, boards, logs := newContests(t)
	boards.fail = errors.New("redis down")
	if _, err := s.Create(context.Background(), sprint(now)); err != nil {
		t.Fatalf("err %v: the committed contest must be reported", err)
	}
	if len(boards.set) != 0 {
		t.Fatal("rows written after the boards could not be emptied")
	}
	if !strings.Contains(logs.String(), "redis down") {
		t.Fatalf("logs %q do not say why the boards were not loaded", logs.String())
	}
}

func TestPatchReloadsBoardsOnlyWhenItRecounts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		start   time.Time
		edit    func(*contest.Contest) error
		reloads int
	}{
		{"new rules on a scheduled contest reload its boards", now.Add(time.Hour), func(c *contest.Contest) error { c.Metric = contest.MetricDeals; return nil }, 1},
		{"a new name leaves the boards alone", now.Add(-time.Hour), func(c *contest.Contest) error { c.Name = "Renamed"; return nil }, 0},
		{"a refused change leaves the boards alone", now.Add(-time.Hour), func(c *contest.Contest) error { c.Metric = contest.MetricDeals; return nil }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, store, boards, _ := newContests(t)
			if _, err := s.Create(context.Background(), sprint(tc.start)); err != nil {
				t.Fatal(err)
			}
			boards.deleted = nil
			_, _ = s.Patch(context.Background(), service.ContestPatch{ID: "c1", By: "tok_2", Detail: []byte(`{}`), Edit: tc.edit})
			if len(boards.deleted) != tc.reloads {
				t.Fatalf("%d reloads, want %d", len(boards.deleted), tc.reloads)
			}
			ch := store.changes[0]
			if ch.Action != "contest.update" || ch.By != "tok_2" || !ch.Rules {
				t.Fatalf("change %+v: a patch is recorded as contest.update by its token, holding ingest off", ch)
			}
		})
	}
}

func TestEndAndCancelDecideAtTheServiceClock(t *testing.T) {
	s, store, boards, _ := newContests(t)
	if _, err := s.Create(context.Background(), sprint(now.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	boards.deleted = nil
	k, err := s.End(context.Background(), "c1", "tok_2")
	if err != nil {
		t.Fatal(err)
	}
	if k.EndedAt == nil || !k.EndedAt.Equal(now) || store.changes[0].Action != "contest.end" || store.changes[0].Rules {
		t.Fatalf("ended_at %v, change %+v", k.EndedAt, store.changes[0])
	}
	k, err = s.Cancel(context.Background(), "c1", "tok_2")
	if err != nil {
		t.Fatal(err)
	}
	if k.CancelledAt == nil || !k.CancelledAt.Equal(now) || store.changes[1].Action != "contest.cancel" {
		t.Fatalf("cancelled_at %v, change %+v", k.CancelledAt, store.changes[1])
	}
	if store.written != 2 || len(boards.deleted) != 0 {
		t.Fatalf("%d writes, %d reloads; want 2 writes and no recount", store.written, len(boards.deleted))
	}
	if _, err := s.End(context.Background(), "c1", "tok_2"); err == nil {
		t.Fatal("ended a cancelled contest")
	}
}
