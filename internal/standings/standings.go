// Package standings is a contest board as people see it (docs/api.md §3 "Standings"): ranks,
// names and scores of one period, the same in the API and on the live channels.
package standings

import (
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// Standings is a board as the API and the sockets show it.
type Standings struct {
	ContestID string     `json:"contest_id"`
	Period    PeriodView `json:"period"`
	Status    string     `json:"status"`
	Total     int64      `json:"total"`
	Entries   []Entry    `json:"entries"`
	// ResetsAt (extension) is when a periodic contest starts a fresh board; null otherwise.
	ResetsAt *time.Time `json:"resets_at"`
	// Pace (extension) is set on a live board with an end read through the API (AddPace);
	// absent otherwise, and never on the live channels.
	Pace *PaceView `json:"pace,omitempty"`
}

// PeriodView is the window a board covers; Key (extension) names it for ?period=.
type PeriodView struct {
	Key   string     `json:"key"`
	Start time.Time  `json:"start"`
	End   *time.Time `json:"end"`
}

// Entry is one row of a board. In team scope it has no rep_id and the team id is its name.
type Entry struct {
	Rank       int64         `json:"rank"`
	RepID      string        `json:"rep_id,omitempty"`
	Name       string        `json:"name"`
	TeamID     *string       `json:"team_id"`
	Score      bullpen.Fixed `json:"score"`
	ReachedAt  time.Time     `json:"reached_at"`
	FinishedAt *time.Time    `json:"finished_at"`
	// Projected and PaceRank (extension) come with the board's Pace.
	Projected *bullpen.Fixed `json:"projected,omitempty"`
	PaceRank  int64          `json:"pace_rank,omitempty"`
}

// Row is a board row as the projection holds it, with its 0-based position.
type Row struct {
	Position   int64
	Entrant    string
	Score      bullpen.Fixed
	ReachedAt  time.Time
	FinishedAt *time.Time // a race's finishers come first, in finishing order
}

// PlaceQuery asks for an entrant's row on one board (a contest's period).
type PlaceQuery struct{ ContestID, PeriodKey, Entrant string }

// Placed is a PlaceQuery's answer: the entrant's row, or OK false when it has none.
type Placed struct {
	Row Row
	OK  bool
}

// Build makes the board of period p from rows (a page of it) and the rep directory; total is
// the board's size.
func Build(k *contest.Contest, p contest.Period, now time.Time, rows []Row, total int64, dir map[string]bullpen.Rep) *Standings {
	st := &Standings{ContestID: k.ID, Status: k.StatusAt(now), Total: total, Period: Window(k, p)}
	if k.Period != contest.PeriodNone {
		st.ResetsAt = st.Period.End
	}
	st.Entries = Entries(k, rows, dir)
	return st
}

// Window is the part of period p the contest covers: the period cut to the contest's start
// and effective end.
func Window(k *contest.Contest, p contest.Period) PeriodView {
	v := PeriodView{Key: p.Key, Start: p.Start, End: p.End}
	if v.Start.Before(k.StartsAt) {
		v.Start = k.StartsAt
	}
	if end := k.EffectiveEnd(); end != nil && (p.End == nil || end.Before(*p.End)) {
		v.End = end
	}
	return v
}

// Entries are rows as people see them, named from the directory.
func Entries(k *contest.Contest, rows []Row, dir map[string]bullpen.Rep) []Entry {
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		e := Entry{Rank: r.Position + 1, Score: r.Score, ReachedAt: r.ReachedAt, FinishedAt: r.FinishedAt}
		if k.Scope == contest.ScopeTeam {
			e.Name, e.TeamID = r.Entrant, nullIfEmpty(r.Entrant)
		} else {
			rep := dir[r.Entrant]
			e.RepID, e.Name, e.TeamID = r.Entrant, rep.Name, nullIfEmpty(rep.TeamID)
		}
		out = append(out, e)
	}
	return out
}

// Entrants are the rep ids a page of rows needs from the directory (none in team scope).
func Entrants(k *contest.Contest, rows []Row) []string {
	if k.Scope == contest.ScopeTeam {
		return nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.Entrant
	}
	return ids
}

// CurrentPeriod is the board shown now: the period containing now, clamped into the contest's
// window (before the start, the first period; after the end, the last).
func CurrentPeriod(k *contest.Contest, now time.Time) contest.Period {
	t := now
	if t.Before(k.StartsAt) {
		t = k.StartsAt
	}
	if end := k.EffectiveEnd(); end != nil && !t.Before(*end) && end.After(k.StartsAt) {
		t = end.Add(-time.Nanosecond)
	}
	return k.PeriodAt(t)
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
