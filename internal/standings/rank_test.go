package standings_test

import (
	"fmt"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/standings"
)

func TestRankChangesSayWhoPassedWhomAndTheGap(t *testing.T) {
	k := &contest.Contest{ID: "c", Metric: contest.MetricDeals, Scope: contest.ScopeRep}
	prev := map[string]standings.Place{"ana": {1, 500}, "bo": {2, 400}, "cy": {3, 300}}
	// cy closes two deals and jumps from third to first.
	order := []string{"cy", "ana", "bo"}
	cur := map[string]standings.Place{"cy": {1, 500}, "ana": {2, 500}, "bo": {3, 400}}
	names := map[string]string{"ana": "Ana", "bo": "Bo", "cy": "Cy"}
	got := standings.RankChanges(k, prev, order, cur, names)
	if len(got) != 3 {
		t.Fatalf("changes for %d reps, want 3: %+v", len(got), got)
	}
	cy := got["cy"]
	if cy.Rank != 1 || cy.PreviousRank != 3 || len(cy.Passed) != 2 || len(cy.PassedBy) != 0 || cy.GapToNext != nil {
		t.Errorf("cy: %+v", cy)
	}
	ana := got["ana"]
	if len(ana.PassedBy) != 1 || ana.PassedBy[0] != (standings.Named{RepID: "cy", Name: "Cy"}) || *ana.GapToNext != 100 || *ana.DealsToNext != 1 {
		t.Errorf("ana: %+v (tied with cy, who got there first: one more deal to pass)", ana)
	}
	bo := got["bo"]
	if *bo.GapToNext != 200 || *bo.DealsToNext != 2 || len(bo.Passed) != 0 {
		t.Errorf("bo: %+v", bo)
	}
	if n := len(standings.RankChanges(k, cur, order, cur, names)); n != 0 {
		t.Errorf("%d changes when nothing moved", n)
	}
}

// bigBoard is n reps, r0 first; then the last one jumps to the top.
func bigBoard(n int) (prev map[string]standings.Place, order []string, cur map[string]standings.Place) {
	prev, cur = map[string]standings.Place{}, map[string]standings.Place{}
	for i := 0; i < n; i++ {
		prev[fmt.Sprint("r", i)] = standings.Place{Rank: int64(i + 1), Score: bullpen.Fixed(100 * (n - i))}
	}
	order = append(order, fmt.Sprint("r", n-1))
	for i := 0; i < n-1; i++ {
		order = append(order, fmt.Sprint("r", i))
	}
	for i, rep := range order {
		cur[rep] = standings.Place{Rank: int64(i + 1), Score: prev[rep].Score}
	}
	cur[order[0]] = standings.Place{Rank: 1, Score: bullpen.Fixed(100 * (n + 1))}
	return prev, order, cur
}

func TestALongJumpNamesTheNearestTenAndEveryoneElseMovesDownOne(t *testing.T) {
	k := &contest.Contest{ID: "c", Metric: contest.MetricRevenue, Scope: contest.ScopeRep}
	prev, order, cur := bigBoard(100)
	got := standings.RankChanges(k, prev, order, cur, nil)
	if len(got) != 100 {
		t.Fatalf("%d changes, want 100 (the jumper and the 99 it passed)", len(got))
	}
	if j := got["r99"]; j.Rank != 1 || j.PreviousRank != 100 || len(j.Passed) != 10 || j.Passed[0].RepID != "r0" {
		t.Fatalf("the jumper: %+v", j)
	}
	if r := got["r5"]; r.Rank != 7 || len(r.PassedBy) != 1 || r.PassedBy[0].RepID != "r99" || len(r.Passed) != 0 {
		t.Fatalf("r5: %+v", r)
	}
}

func BenchmarkRankChangesOnABoardOf5000(b *testing.B) {
	k := &contest.Contest{ID: "c", Metric: contest.MetricRevenue, Scope: contest.ScopeRep}
	prev, order, cur := bigBoard(5000)
	for b.Loop() {
		standings.RankChanges(k, prev, order, cur, nil)
	}
}
