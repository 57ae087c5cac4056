package contest_test

import (
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

func TestPayoutsSkipEmptyRanksZeroScoresAndScoresBelowTheMinimum(t *testing.T) {
	min := bullpen.Fixed(100000)
	c := contest.Contest{Prizes: []contest.Prize{{Rank: 1, Points: 500}, {Rank: 2, Points: 250}, {Rank: 3, Points: 100}, {Rank: 5, Points: 10}}, MinScore: &min}
	board := []contest.Placed{{Entrant: "ana", Score: 200000}, {Entrant: "bo", Score: 100000}, {Entrant: "cy", Score: 99999}, {Entrant: "dan", Score: 0}}
	got := c.Payouts(board)
	if len(got) != 2 || got[0] != (contest.Payout{Rank: 1, Entrant: "ana", Points: 500}) || got[1] != (contest.Payout{Rank: 2, Entrant: "bo", Points: 250}) {
		t.Fatalf("payouts %+v", got)
	}
	c.MinScore = nil
	if got := c.Payouts(board); len(got) != 3 || got[2].Entrant != "cy" {
		t.Fatalf("without a minimum: %+v", got)
	}
}

func TestPrizeNotesReadWell(t *testing.T) {
	c := contest.Contest{Name: "December revenue sprint", Period: contest.PeriodDay, Scope: contest.ScopeRep}
	if got := c.PrizeNote(contest.Payout{Rank: 2, Entrant: "ana", Points: 250}, "2026-12-03"); got != "250 points: 2nd place in December revenue sprint (day of 2026-12-03)" {
		t.Fatalf("note %q", got)
	}
	c.Scope, c.Period = contest.ScopeTeam, contest.PeriodNone
	if got := c.PrizeNote(contest.Payout{Rank: 11, Entrant: "east", Points: 5}, contest.PeriodKeyNone); got != "5 points: team east placed 11th in December revenue sprint" {
		t.Fatalf("note %q", got)
	}
}
