package export

import (
	"time"

	"bullpen/internal/contest"
)

// Board is the contest period a standings export is of, written into every row so that each
// row stands alone in a spreadsheet.
type Board struct {
	Contest  *contest.Contest
	Key      string
	Start    time.Time
	End      *time.Time
	Status   string // live, ended, final or cancelled
	Final    bool   // its prizes are paid: prize_points is filled in
	Currency string
}

// Write writes one row of the board.
func (b *Board) Write(cw *Writer, r *StandingRow) error {
	k := b.Contest
	cw.Word(k.ID)
	cw.Text(k.Name)
	cw.Word(b.Key)
	cw.Time(&b.Start)
	cw.Time(b.End)
	cw.Word(b.Status)
	cw.Int(r.Rank)
	if k.Scope == contest.ScopeTeam {
		cw.Empty()
		cw.Empty()
		cw.Text(r.Entrant)
	} else {
		cw.Text(r.Entrant)
		cw.Text(r.Name)
		cw.Text(r.TeamID)
	}
	cw.Word(k.Metric)
	cw.Money(r.Score)
	if k.Metric == contest.MetricRevenue {
		cw.Word(b.Currency)
	} else {
		cw.Empty()
	}
	cw.Time(&r.ReachedAt)
	cw.Time(r.FinishedAt)
	if points := k.PrizeFor(int(r.Rank), r.Score); b.Final && points > 0 {
		cw.Int(points)
	} else {
		cw.Empty()
	}
	return cw.End()
}
