package postgres_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"bullpen/internal/contest"
)

// A team contest with daily boards: each day pays its own prizes, to every rep who scored for
// the prized team that day, once however often Finalize runs.
func TestEachPeriodPaysItsOwnPrizesToTheRepsOfThePrizedTeam(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(48 * time.Hour)
	c := &contest.Contest{Name: "Daily team deals", Metric: contest.MetricDeals, Scope: contest.ScopeTeam, Period: contest.PeriodDay,
		StartsAt: start, EndsAt: &end, Prizes: []contest.Prize{{Rank: 1, Points: 100}, {Rank: 2, Points: 40}}, CreatedBy: "test"}
	mustContest(t, db, c)
	// Day 1: east 3 deals (ana 2, bo 1, and cy's deal was reversed: net 0), west 2 (dan 2).
	// Day 2: west 5 (dan 1, eve 4), east 1 (ana 1).
	mustExec(t, db, `INSERT INTO standings (contest_id, period_key, entrant, score, reached_at) VALUES
		($1, '2026-06-01', 'east', 300, '2026-06-01T10:00:00Z'), ($1, '2026-06-01', 'west', 200, '2026-06-01T11:00:00Z'),
		($1, '2026-06-02', 'west', 500, '2026-06-02T10:00:00Z'), ($1, '2026-06-02', 'east', 100, '2026-06-02T09:00:00Z')`, c.ID)
	mustExec(t, db, `INSERT INTO contributions (event_id, contest_id, period_key, entrant, rep_id, delta) VALUES
		('a1', $1, '2026-06-01', 'east', 'ana', 100), ('a2', $1, '2026-06-01', 'east', 'ana', 100), ('b1', $1, '2026-06-01', 'east', 'bo', 100),
		('c1', $1, '2026-06-01', 'east', 'cy', 100), ('c2', $1, '2026-06-01', 'east', 'cy', -100),
		('d1', $1, '2026-06-01', 'west', 'dan', 200),
		('d2', $1, '2026-06-02', 'west', 'dan', 100), ('e1', $1, '2026-06-02', 'west', 'eve', 400), ('a3', $1, '2026-06-02', 'east', 'ana', 100)`, c.ID)

	for range 2 { // a second run (another consumer, a restart) pays nothing more
		if _, err := db.Finalize(ctx, c, []string{"2026-06-01", "2026-06-02"}, true); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Pool.Query(ctx, `SELECT period_key, rep_id, points FROM ledger WHERE contest_id = $1 AND reason = 'prize' ORDER BY period_key, rep_id`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var key, rep string
		var points int64
		if err := rows.Scan(&key, &rep, &points); err != nil {
			t.Fatal(err)
		}
		got = append(got, key+" "+rep+" "+strconv.FormatInt(points, 10))
	}
	want := []string{
		"2026-06-01 ana 100", "2026-06-01 bo 100", "2026-06-01 dan 40", // cy netted nothing for east
		"2026-06-02 ana 40", "2026-06-02 dan 100", "2026-06-02 eve 100",
	}
	if len(got) != len(want) {
		t.Fatalf("prizes %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("prizes %v, want %v", got, want)
		}
	}
	var final bool
	if err := db.Pool.QueryRow(ctx, `SELECT finalized_at IS NOT NULL FROM contests WHERE id = $1`, c.ID).Scan(&final); err != nil || !final {
		t.Fatalf("contest final: %v %v", final, err)
	}
}

// A rep paid on two boards in one go is told the balance it has, not the sum counted twice.
func TestFinalizeReportsTheBalanceOfARepPaidOnTwoBoards(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(48 * time.Hour)
	c := &contest.Contest{Name: "Daily deals", Metric: contest.MetricDeals, Scope: contest.ScopeRep, Period: contest.PeriodDay,
		StartsAt: start, EndsAt: &end, Prizes: []contest.Prize{{Rank: 1, Points: 100}}, CreatedBy: "test"}
	mustContest(t, db, c)
	mustExec(t, db, `INSERT INTO standings (contest_id, period_key, entrant, score, reached_at) VALUES
		($1, '2026-06-01', 'ana', 100, '2026-06-01T10:00:00Z'), ($1, '2026-06-02', 'ana', 100, '2026-06-02T10:00:00Z')`, c.ID)
	balances, err := db.Finalize(ctx, c, []string{"2026-06-01", "2026-06-02"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := balances["ana"].Points; got != 200 {
		t.Fatalf("ana's balance %d, want 200", got)
	}
}
