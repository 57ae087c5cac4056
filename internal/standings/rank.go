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

// RankChange is the `rank` message a rep gets when its place on a board changes (contract §4).
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

// RankChanges compares two rankings of a rep-scope board (entrant -> place; order is the
// current board, best first) and says, for every rep whose rank moved, who passed whom and how
// far it is to the next place. Reps new to the board get none (they have no previous rank).
func RankChanges(k *contest.Contest, prev map[string]Place, order []string, cur map[string]Place, names map[string]string) map[string]RankChange {
	out := map[string]RankChange{}
	if k.Scope == contest.ScopeTeam {
		return out
	}
	for i, rep := range order {
		was, ok := prev[rep]
		now := cur[rep]
		if !ok || was.Rank == now.Rank {
			continue
		}
		ch := RankChange{ContestID: k.ID, Rank: now.Rank, PreviousRank: was.Rank, Score: now.Score, PassedBy: []Named{}, Passed: []Named{}}
		for _, other := range order {
			o, seen := prev[other]
			if other == rep || !seen {
				continue
			}
			oc := cur[other]
			switch {
			case o.Rank > was.Rank && oc.Rank < now.Rank:
				ch.PassedBy = append(ch.PassedBy, Named{other, names[other]})
			case o.Rank < was.Rank && oc.Rank > now.Rank:
				ch.Passed = append(ch.Passed, Named{other, names[other]})
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
