package export

import (
	"time"

	"bullpen/internal/bullpen"
)

// The column orders are part of the API (docs/api.md "Exports"): new columns go at the end.
var (
	StandingsColumns = []string{"contest_id", "contest_name", "period_key", "period_start", "period_end", "status",
		"rank", "rep_id", "rep_name", "team_id", "metric", "score", "currency", "reached_at", "finished_at", "prize_points"}
	LedgerColumns = []string{"id", "created_at", "rep_id", "rep_name", "team_id", "points", "reason", "note", "by",
		"event_id", "deal_id", "incentive_id", "contest_id", "period_key"}
	WinnerColumns = []string{"incentive_id", "incentive_title", "won_at", "rep_id", "rep_name", "team_id", "deal_id",
		"event_id", "amount", "currency", "reward_points", "clawed_back_at"}
)

// StandingRow is one entrant's row of a contest period's board, in rank order.
type StandingRow struct {
	Rank       int64
	Entrant    string // a rep id, or a team id in team scope
	Name       string // the rep's name (rep scope)
	TeamID     string // the rep's team, or the team itself in team scope
	Score      bullpen.Fixed
	ReachedAt  time.Time
	FinishedAt *time.Time
}

// LedgerRow is one entry of the points ledger with its rep's directory entry.
type LedgerRow struct {
	bullpen.LedgerEntry
	Name, TeamID string
}

// WinnerRow is one win of a spot incentive: who, with which deal, the amount of the winning
// event and the reward.
type WinnerRow struct {
	IncentiveID, Title  string
	WonAt               time.Time
	RepID, Name, TeamID string
	DealID, EventID     string
	Amount              *bullpen.Fixed
	RewardPoints        int64
	ClawedBackAt        *time.Time
}

// Write writes the ledger row.
func (r *LedgerRow) Write(cw *Writer) error {
	cw.Int(r.ID)
	cw.Time(&r.CreatedAt)
	cw.Text(r.RepID)
	cw.Text(r.Name)
	cw.Text(r.TeamID)
	cw.Int(r.Points)
	cw.Word(string(r.Reason))
	cw.Text(r.Note)
	cw.Text(r.By)
	cw.Text(r.EventID)
	cw.Text(r.DealID)
	cw.Word(r.IncentiveID)
	cw.Word(r.ContestID)
	cw.Word(r.PeriodKey)
	return cw.End()
}

// Write writes the winner row; currency is the one amounts are in.
func (r *WinnerRow) Write(cw *Writer, currency string) error {
	cw.Word(r.IncentiveID)
	cw.Text(r.Title)
	cw.Time(&r.WonAt)
	cw.Text(r.RepID)
	cw.Text(r.Name)
	cw.Text(r.TeamID)
	cw.Text(r.DealID)
	cw.Text(r.EventID)
	if r.Amount != nil {
		cw.Money(*r.Amount)
		cw.Word(currency)
	} else {
		cw.Empty()
		cw.Empty()
	}
	cw.Int(r.RewardPoints)
	cw.Time(r.ClawedBackAt)
	return cw.End()
}
