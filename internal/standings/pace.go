package standings

import (
	"cmp"
	"slices"
	"time"

	"bullpen/internal/contest"
	"bullpen/internal/pace"
)

// PaceView (extension) is how far a live board is into its selling time (docs/api.md §6 "Pace").
type PaceView struct {
	ElapsedDays float64 `json:"elapsed_days"`
	TotalDays   float64 `json:"total_days"`
}

// AddPace gives a live board with an end its pace: each entry's score projected to the board's
// end at its run rate so far, in the selling time of cal read in the contest's time zone, and
// the rank of that projection among the board's ("on pace for #N"). A race gets none (its
// order is finishing order and its end the moment its last winner finishes), nor a board
// without an end or other than the one running now.
func AddPace(st *Standings, k *contest.Contest, cal pace.Calendar, now time.Time) {
	if k.Kind == contest.KindRace || st.Status != contest.StatusLive || st.Period.End == nil {
		return
	}
	start, end := st.Period.Start, *st.Period.End
	if now.Before(start) || !now.Before(end) {
		return
	}
	m := cal.In(k.Location()).Moment(start, end, now)
	st.Pace = &PaceView{ElapsedDays: m.Elapsed, TotalDays: m.Total}
	for i := range st.Entries {
		projected := m.Project(st.Entries[i].Score)
		st.Entries[i].Projected = &projected
	}
	rankPace(st.Entries)
}

// rankPace ranks a page of a board by projected score, best first, equal projections in board
// order (the board breaks ties by reached_at, then id), numbered from the page's first rank.
// Ranking the page alone ranks the board: every score is multiplied by the same factor
// (total ÷ elapsed selling time, at least 1) and rounded to the cent, which keeps different
// scores in their order and equal ones equal, so whatever stands above the page projects at
// least as high and whatever stands below at most as high.
func rankPace(entries []Entry) {
	if len(entries) == 0 {
		return
	}
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(*entries[b].Projected, *entries[a].Projected)
	})
	first := entries[0].Rank
	for i, at := range order {
		entries[at].PaceRank = first + int64(i)
	}
}
