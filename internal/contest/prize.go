package contest

import (
	"fmt"

	"bullpen/internal/bullpen"
)

// Placed is a row of a final board, in rank order.
type Placed struct {
	Entrant string
	Score   bullpen.Fixed
}

// Payout is a prize won: the points for the entrant at a rank.
type Payout struct {
	Rank    int
	Entrant string
	Points  int64
}

// Payouts says who wins which prize on a final board. A rank nobody reached pays nothing, and
// neither does a score of zero or less or one below min_score.
func (c *Contest) Payouts(board []Placed) []Payout {
	var out []Payout
	for _, p := range c.Prizes {
		if p.Rank > len(board) {
			continue
		}
		row := board[p.Rank-1]
		if !c.scoreWins(row.Score) {
			continue
		}
		out = append(out, Payout{Rank: p.Rank, Entrant: row.Entrant, Points: p.Points})
	}
	return out
}

// PrizeFor is the points a final board pays the entrant at rank with score (0: none), by the
// same rule as Payouts.
func (c *Contest) PrizeFor(rank int, score bullpen.Fixed) int64 {
	if !c.scoreWins(score) {
		return 0
	}
	for _, p := range c.Prizes {
		if p.Rank == rank {
			return p.Points
		}
	}
	return 0
}

// scoreWins: a score of zero or less, or one below min_score, wins nothing.
func (c *Contest) scoreWins(score bullpen.Fixed) bool {
	return score > 0 && (c.MinScore == nil || score >= *c.MinScore)
}

// PrizeNote explains a prize to the rep who gets it.
func (c *Contest) PrizeNote(p Payout, periodKey string) string {
	where := c.Name
	if periodKey != PeriodKeyNone && periodKey != "" {
		where = fmt.Sprintf("%s (%s of %s)", c.Name, c.Period, periodKey)
	}
	if c.Scope == ScopeTeam {
		return fmt.Sprintf("%d points: team %s placed %s in %s", p.Points, p.Entrant, ordinal(p.Rank), where)
	}
	return fmt.Sprintf("%d points: %s place in %s", p.Points, ordinal(p.Rank), where)
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
