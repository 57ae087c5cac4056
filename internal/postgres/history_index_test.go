package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
)

// A rep's history reads its own rows through standings_entrant, not every standings row: on
// boards of a realistic size (two rep contests of 1,500 reps and a team contest, 24 months
// each, about 73,000 rows, analysed) the planner, left to choose, picks the index.
func TestRepHistoryReadsTheRepsRowsByIndex(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(2, 0, 0)
	for _, scope := range []string{contest.ScopeRep, contest.ScopeRep, contest.ScopeTeam} {
		c := &contest.Contest{Name: "Monthly " + scope, Metric: contest.MetricDeals, Scope: scope, Period: contest.PeriodMonth,
			StartsAt: start, EndsAt: &end, CreatedBy: "test"}
		mustContest(t, db, c)
		entrants := `'r' || lpad(e::text, 5, '0') FROM generate_series(1, 1500) e`
		if scope == contest.ScopeTeam {
			entrants = `'team' || lpad(e::text, 2, '0') FROM generate_series(1, 40) e`
		}
		mustExec(t, db, `INSERT INTO standings (contest_id, period_key, entrant, score, reached_at)
			SELECT $1, to_char(date '2025-01-01' + make_interval(months => m), 'YYYY-MM-DD'), x.entrant, 100, now()
			FROM generate_series(0, 23) m, (SELECT `+entrants+`) x(entrant)`, c.ID)
	}
	mustExec(t, db, `ANALYZE standings`)
	mustExec(t, db, `ANALYZE contests`)
	rep := bullpen.Rep{RepID: "r00042", TeamID: "team07"}

	var plan string
	if err := db.Pool.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+postgres.RepPlacingsQuery, rep.RepID, rep.TeamID, 3).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, `"Index Name": "standings_entrant"`) {
		t.Errorf("the history query does not use standings_entrant:\n%s", plan)
	}

	placings, contests, err := db.RepPlacings(ctx, rep, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(placings) != 9 || len(contests) != 3 { // the last 3 months of each contest
		t.Fatalf("%d placings on %d contests, want 9 on 3: %+v", len(placings), len(contests), placings)
	}
	for _, p := range placings {
		if p.Total != 1500 && p.Total != 40 {
			t.Errorf("%s %s: %d on the board, want 1500 (rep) or 40 (team)", p.ContestID, p.Key, p.Total)
		}
	}
}
