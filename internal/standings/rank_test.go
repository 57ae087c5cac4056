package standings_test

import (
	"testing"

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
