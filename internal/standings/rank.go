package standings

import (
	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// Place is where an entrant stands on a board.
type Place struct {
	Rank  int64
	Score bullpen.Fixed
}

// Named is a rep in a rank message.
type Named struct {
	RepID string `json:"rep_id"`
	Name  string `json:"name"`
}

// RankChange is the `rank` message a rep gets when its place on a board changes (docs/api.md §4).
type RankChange struct {
	ContestID    string         `json:"contest_id"`
	Rank         int64          `json:"rank"`
	PreviousRank int64          `json:"previous_rank"`
	Score        bullpen.Fixed  `json:"score"`
	PassedBy     []Named        `json:"passed_by"`
	Passed       []Named        `json:"passed"`
	GapToNext    *bullpen.Fixed `json:"gap_to_next"`
	DealsToNext  *int64         `json:"deals_to_next,omitempty"`
}

// maxNamed bounds the passed_by and passed lists of one message: a rep who jumped a hundred
// places hears the nearest ten.
const maxNamed = 10

// RankChanges compares two rankings of a rep-scope board (entrant -> place; order is the
// current board, best first) and says, for every rep whose rank moved, who passed whom (the
// nearest maxNamed of each) and how far it is to the next place. Reps new to the board get
// none (they have no previous rank). It runs in about linear time when few reps swap places,
// the common case, since it runs for every update of a big board.
func RankChanges(k *contest.Contest, prev map[string]Place, order []string, cur map[string]Place, names map[string]string) map[string]RankChange {
	out := map[string]RankChange{}
	if k.Scope == contest.ScopeTeam {
		return out
	}
	n := len(order)
	// prevAt[i] is the previous rank of the rep now at position i (0: new to the board).
	prevAt := make([]int64, n)
	for i, rep := range order {
		prevAt[i] = prev[rep].Rank
	}
	// maxBefore[i]: the largest previous rank among positions < i; minAfter[i]: the smallest
	// (known) previous rank among positions > i. They tell at once whether anyone passed.
	maxBefore := make([]int64, n)
	for i := 1; i < n; i++ {
		maxBefore[i] = max(maxBefore[i-1], prevAt[i-1])
	}
	minAfter := make([]int64, n)
	for i := n - 1; i >= 0; i-- {
		minAfter[i] = 1 << 62
		if i+1 < n {
			minAfter[i] = minAfter[i+1]
			if prevAt[i+1] > 0 && prevAt[i+1] < minAfter[i] {
				minAfter[i] = prevAt[i+1]
			}
		}
	}
	for i, rep := range order {
		was := prevAt[i]
		now := cur[rep]
		if was == 0 || was == now.Rank {
			continue
		}
		ch := RankChange{ContestID: k.ID, Rank: now.Rank, PreviousRank: was, Score: now.Score, PassedBy: []Named{}, Passed: []Named{}}
		if maxBefore[i] > was {
			for j := i - 1; j >= 0 && len(ch.PassedBy) < maxNamed; j-- {
				if prevAt[j] > was {
					ch.PassedBy = append(ch.PassedBy, Named{order[j], names[order[j]]})
				}
			}
		}
		if minAfter[i] < was {
			for j := i + 1; j < n && len(ch.Passed) < maxNamed; j++ {
				if prevAt[j] > 0 && prevAt[j] < was {
					ch.Passed = append(ch.Passed, Named{order[j], names[order[j]]})
				}
			}
		}
		if i > 0 {
			gap := cur[order[i-1]].Score - now.Score + unit(k)
			ch.GapToNext = &gap
			if k.Metric == contest.MetricDeals {
				deals := int64(gap+99) / 100
				ch.DealsToNext = &deals
			}
		}
		out[rep] = ch
	}
	return out
}

// unit is the least a score moves by: a whole deal or unit, else a cent or a hundredth of a point.
func unit(k *contest.Contest) bullpen.Fixed {
	if k.Metric == contest.MetricDeals || k.Metric == contest.MetricUnits {
		return 100
	}
	return 1
}
