// Package history is what a contest's past looks like (docs/api.md "History"): its periods
// with their winners and the prizes paid, and a rep's rank and score period by period. The
// ledger says what each board holds; this package says what people see of it. Plain Go, no I/O.
package history

import (
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/standings"
)

// TopEntries is how many of a board's first rows a period shows.
const TopEntries = 3

// Board is what the ledger holds of one period's board: its size, its first rows best first
// (as many as RowsNeeded asks), when it became final and the prizes the ledger paid for it.
type Board struct {
	Key         string
	Total       int64
	Rows        []standings.Row
	FinalizedAt *time.Time
	Paid        []Paid
}

// Paid is a prize entry of the points ledger.
type Paid struct {
	RepID  string
	Points int64
}

// Period is one board of a contest as GET /contests/{id}/periods shows it.
type Period struct {
	Key         string     `json:"key"`
	Start       time.Time  `json:"start"`
	End         *time.Time `json:"end"`
	Status      string     `json:"status"`
	FinalizedAt *time.Time `json:"finalized_at"`
	Total       int64      `json:"total"`
	// Top is the board's first rows: the current leaders of a live board, the final result of
	// a final one.
	Top []standings.Entry `json:"top"`
	// Winners are the ranks a final board paid a prize to; PrizesPaid the ledger's entries for
	// them (in team scope, one per rep of the team who scored). Both empty until final.
	Winners    []Winner    `json:"winners"`
	PrizesPaid []PrizePaid `json:"prizes_paid"`
}

// Winner is a prized rank of a final board.
type Winner struct {
	Rank   int64         `json:"rank"`
	RepID  string        `json:"rep_id,omitempty"`
	TeamID *string       `json:"team_id"`
	Name   string        `json:"name"`
	Score  bullpen.Fixed `json:"score"`
	Points int64         `json:"points"`
}

// PrizePaid is a prize as the points ledger recorded it.
type PrizePaid struct {
	RepID  string `json:"rep_id"`
	Name   string `json:"name"`
	Points int64  `json:"points"`
}

// RowsNeeded is how many first rows of each board Periods needs: the top and every prized rank.
func RowsNeeded(k *contest.Contest) int {
	n := TopEntries
	for _, p := range k.Prizes {
		n = max(n, p.Rank)
	}
	return n
}

// Status is a board's status at now: final once the ledger froze it, cancelled with its
// contest, ended past its end (in grace), else live.
func Status(k *contest.Contest, w standings.PeriodView, finalized *time.Time, now time.Time) string {
	switch {
	case finalized != nil:
		return contest.StatusFinal
	case k.CancelledAt != nil:
		return contest.StatusCancelled
	case w.End != nil && !now.Before(*w.End):
		return contest.StatusEnded
	}
	return contest.StatusLive
}

// Periods shows the boards of contest k (newest first, as given), their reps named from dir.
func Periods(k *contest.Contest, boards []Board, dir map[string]bullpen.Rep, now time.Time) []Period {
	out := make([]Period, 0, len(boards))
	for _, b := range boards {
		p, _ := k.PeriodByKey(b.Key)
		w := standings.Window(k, p)
		v := Period{Key: b.Key, Start: w.Start, End: w.End, FinalizedAt: b.FinalizedAt, Total: b.Total,
			Status: Status(k, w, b.FinalizedAt, now), Winners: []Winner{}, PrizesPaid: []PrizePaid{}}
		v.Top = standings.Entries(k, b.Rows[:min(len(b.Rows), TopEntries)], dir)
		if b.FinalizedAt != nil {
			v.Winners = winners(k, b.Rows, dir)
			for _, paid := range b.Paid {
				v.PrizesPaid = append(v.PrizesPaid, PrizePaid{RepID: paid.RepID, Name: dir[paid.RepID].Name, Points: paid.Points})
			}
		}
		out = append(out, v)
	}
	return out
}

func winners(k *contest.Contest, rows []standings.Row, dir map[string]bullpen.Rep) []Winner {
	placed := make([]contest.Placed, len(rows))
	for i, r := range rows {
		placed[i] = contest.Placed{Entrant: r.Entrant, Score: r.Score}
	}
	out := []Winner{}
	for _, p := range k.Payouts(placed) {
		e := standings.Entries(k, rows[p.Rank-1:p.Rank], dir)[0]
		out = append(out, Winner{Rank: e.Rank, RepID: e.RepID, TeamID: e.TeamID, Name: e.Name, Score: e.Score, Points: p.Points})
	}
	return out
}

// Entrants are the rep ids a page of boards needs from the directory: their rows' reps and the
// reps the ledger paid.
func Entrants(k *contest.Contest, boards []Board) []string {
	var ids []string
	for _, b := range boards {
		ids = append(ids, standings.Entrants(k, b.Rows)...)
		for _, p := range b.Paid {
			ids = append(ids, p.RepID)
		}
	}
	return ids
}
