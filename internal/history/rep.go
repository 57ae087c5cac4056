package history

import (
	"cmp"
	"slices"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/standings"
)

// MaxPeriods bounds ?periods= of a rep's history.
const MaxPeriods = 60

// Placing is where an entrant stood on one board: its rank among the board's entrants, the
// board's size and its score.
type Placing struct {
	ContestID   string
	Key         string
	Entrant     string
	Rank, Total int64
	Score       bullpen.Fixed
	FinalizedAt *time.Time
}

// RepContest is one contest a rep took part in, with its last periods (newest first).
type RepContest struct {
	ContestID string      `json:"contest_id"`
	Name      string      `json:"name"`
	Metric    string      `json:"metric"`
	Scope     string      `json:"scope"`
	Period    string      `json:"period"`
	Status    string      `json:"status"`
	Entrant   string      `json:"entrant"` // the rep, or in team scope its team
	Periods   []RepPeriod `json:"periods"`
}

// RepPeriod is the rep's (its team's) place on one board.
type RepPeriod struct {
	Key    string        `json:"key"`
	Start  time.Time     `json:"start"`
	End    *time.Time    `json:"end"`
	Status string        `json:"status"`
	Rank   int64         `json:"rank"`
	Total  int64         `json:"total"`
	Score  bullpen.Fixed `json:"score"`
}

// Rep builds a rep's history from its placings (each contest's newest first) and their
// contests: the contests that started last first. A team contest the rep does not take part in
// (its team's row is there, the rep is not among the participants) is left out.
func Rep(rep bullpen.Rep, contests map[string]*contest.Contest, placings []Placing, now time.Time) []RepContest {
	byID := map[string]*RepContest{}
	var order []*contest.Contest
	for _, pl := range placings {
		k := contests[pl.ContestID]
		if k == nil || !k.Takes(rep.RepID, rep.TeamID) {
			continue
		}
		rc := byID[k.ID]
		if rc == nil {
			rc = &RepContest{ContestID: k.ID, Name: k.Name, Metric: k.Metric, Scope: k.Scope, Period: k.Period,
				Status: k.StatusAt(now), Entrant: pl.Entrant, Periods: []RepPeriod{}}
			byID[k.ID] = rc
			order = append(order, k)
		}
		p, _ := k.PeriodByKey(pl.Key)
		w := standings.Window(k, p)
		rc.Periods = append(rc.Periods, RepPeriod{Key: pl.Key, Start: w.Start, End: w.End,
			Status: Status(k, w, pl.FinalizedAt, now), Rank: pl.Rank, Total: pl.Total, Score: pl.Score})
	}
	slices.SortStableFunc(order, func(a, b *contest.Contest) int {
		if c := b.StartsAt.Compare(a.StartsAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out := make([]RepContest, 0, len(order))
	for _, k := range order {
		out = append(out, *byID[k.ID])
	}
	return out
}
