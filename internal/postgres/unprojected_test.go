package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
)

// project calls ProjectBalances once and returns what it handed over.
func project(t *testing.T, db *postgres.DB) (map[string]bullpen.Balance, int) {
	t.Helper()
	var got map[string]bullpen.Balance
	n, err := db.ProjectBalances(context.Background(), 1000, func(b map[string]bullpen.Balance) error {
		got = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, n
}

// An adjustment and a contest's final record the balances they change; the records hand over
// the ledger's balances until a write of them succeeds, and then nothing.
func TestBalancesChangedOutsideABatchAreHandedOverUntilWritten(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	mustExec(t, db, `INSERT INTO reps (rep_id) VALUES ('ana'), ('bo')`)
	if _, _, err := db.AddAdjustment(ctx, "ana", 25, "bonus", "admin"); err != nil {
		t.Fatal(err)
	}
	_, last, err := db.AddAdjustment(ctx, "ana", 5, "more", "admin")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(24 * time.Hour)
	c := &contest.Contest{Name: "Deals", Metric: contest.MetricDeals, Scope: contest.ScopeRep, Period: contest.PeriodDay,
		StartsAt: start, EndsAt: &end, Prizes: []contest.Prize{{Rank: 1, Points: 100}}, CreatedBy: "test"}
	mustContest(t, db, c)
	mustExec(t, db, `INSERT INTO standings (contest_id, period_key, entrant, score, reached_at) VALUES
		($1, '2026-06-01', 'bo', 100, '2026-06-01T10:00:00Z')`, c.ID)
	paid, err := db.Finalize(ctx, c, []string{"2026-06-01"}, true)
	if err != nil {
		t.Fatal(err)
	}

	down := errors.New("redis down")
	n, err := db.ProjectBalances(ctx, 1000, func(map[string]bullpen.Balance) error { return down })
	if !errors.Is(err, down) || n != 0 {
		t.Fatalf("a failed write: %d, %v; want 0 and its error", n, err)
	}
	got, n := project(t, db)
	want := map[string]bullpen.Balance{"ana": last, "bo": paid["bo"]}
	if n != 3 || len(got) != 2 || got["ana"] != want["ana"] || got["bo"] != want["bo"] || got["bo"].Points != 100 {
		t.Fatalf("handed over %v from %d records, want %v from 3 (kept after the failed write)", got, n, want)
	}
	if got, n := project(t, db); n != 0 || got != nil {
		t.Fatalf("after a write: %v from %d records, want nothing", got, n)
	}
}

// A change recorded while a page is being written is not in that page's sums, so its record
// stays for the next call, which hands over the newer balance.
func TestARecordCommittedDuringAWriteIsLeftForTheNext(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	mustExec(t, db, `INSERT INTO reps (rep_id) VALUES ('ana')`)
	if _, _, err := db.AddAdjustment(ctx, "ana", 1, "one", "admin"); err != nil {
		t.Fatal(err)
	}
	var first map[string]bullpen.Balance
	if _, err := db.ProjectBalances(ctx, 1000, func(b map[string]bullpen.Balance) error {
		first = b
		_, _, err := db.AddAdjustment(ctx, "ana", 2, "two", "admin") // another writer, committed meanwhile
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if first["ana"].Points != 1 {
		t.Fatalf("first page %v, want ana at 1", first)
	}
	if got, n := project(t, db); n != 1 || got["ana"].Points != 3 {
		t.Fatalf("next page %v from %d records, want ana at 3 from 1", got, n)
	}
}
