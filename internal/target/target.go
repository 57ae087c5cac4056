// Package target holds the rules of targets (quotas) and attainment (docs/api.md §3 "Targets"):
// period keys, what a target row may say, how the rows of one request group into target sets,
// the CSV form, a team's target (its own or the sum of its reps'), and attainment as a percent.
// A set scores events by the contests' own rules (contest.DealValue, ingest.Contribute), through
// the contest view Rules gives. Plain Go, no I/O.
package target

import (
	"strconv"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// Target is one row: a rep's target in a set, or the team's own (RepID empty).
type Target struct {
	Period    string                   `json:"period"`
	Metric    string                   `json:"metric"`
	TeamID    string                   `json:"team_id"`
	RepID     string                   `json:"rep_id,omitempty"`
	Target    bullpen.Fixed            `json:"target"`
	Timezone  string                   `json:"timezone,omitempty"`
	Weights   map[string]bullpen.Fixed `json:"weights,omitempty"`
	UpdatedBy string                   `json:"updated_by,omitempty"`
	UpdatedAt *time.Time               `json:"updated_at,omitempty"`
}

// SetKey names a target set: a team's targets on one metric in one period.
type SetKey struct {
	Period, Metric, TeamID string
}

// Key is the set the row belongs to.
func (t *Target) Key() SetKey { return SetKey{Period: t.Period, Metric: t.Metric, TeamID: t.TeamID} }

// Set is a target set as stored: its rules (time zone, weights) and the period's edges cut in
// its time zone. Its attainment rows count, for each rep, the events judged by the set's team.
type Set struct {
	ID       int64
	Period   string
	Metric   string
	TeamID   string
	Timezone string
	Weights  map[string]bullpen.Fixed
	Start    time.Time
	End      time.Time
}

// Key is the set's name.
func (s *Set) Key() SetKey { return SetKey{Period: s.Period, Metric: s.Metric, TeamID: s.TeamID} }

// Rules is the set as a contest that counts exactly what the set counts: its metric and weights,
// its period as the window, the reps judged by its team as participants. Scoring a set through
// it (contest.DealValue, ingest.Contribute, ingest.Recount) keeps one rule for boards and
// targets, rounding of revenue_per_point included. The late-event grace applies as to a board.
func (s *Set) Rules() *contest.Contest {
	end := s.End
	return &contest.Contest{
		ID: strconv.FormatInt(s.ID, 10), Name: "target set", Kind: contest.KindLeaderboard, Metric: s.Metric,
		Weights: s.Weights, Scope: contest.ScopeRep, StartsAt: s.Start, EndsAt: &end, Timezone: s.Timezone,
		Period: contest.PeriodNone, Participants: &contest.Participants{Teams: []string{s.TeamID}},
	}
}

// Current reports whether now falls in the set's period.
func (s *Set) Current(now time.Time) bool { return !now.Before(s.Start) && now.Before(s.End) }

// Value is one attainment row as the ledger holds it: what a rep has scored for a set, as an
// absolute value with a version that grows with every change (so the projection keeps the
// newest). A team's value is the sum of its set's rows.
type Value struct {
	SetID   int64
	RepID   string
	Value   bullpen.Fixed
	Version int64
}

// ValueKey names an attainment row.
type ValueKey struct {
	SetID int64
	RepID string
}

// Stored is a set with its targets as stored: the team's own row (nil: none) and its reps'.
// Each row carries the set's time zone and weights.
type Stored struct {
	Set  Set
	Own  *Target
	Reps []Target // by rep_id
	// Version moves with every change of the set or its targets: a copy of the same version
	// is still the set.
	Version int64
}

// Targets are the stored set's targets.
func (st *Stored) Targets() Targets {
	t := Targets{Reps: make(map[string]bullpen.Fixed, len(st.Reps))}
	if st.Own != nil {
		own := st.Own.Target
		t.Own = &own
	}
	for _, r := range st.Reps {
		t.Reps[r.RepID] = r.Target
	}
	return t
}

// Outcome is what a bulk write did: how many rows it created, changed and found as they were,
// the rows as stored (in the request's order), and the sets it touched (Recounted: those whose
// attainment was counted again, with their rows).
type Outcome struct {
	Created   int      `json:"created"`
	Updated   int      `json:"updated"`
	Unchanged int      `json:"unchanged"`
	Items     []Target `json:"items"`

	Sets      []Set   `json:"-"`
	Recounted []Value `json:"-"`
}

// Filter selects target sets: those of one period (Period; "" means the periods now falls in),
// and optionally one metric, one team, or the sets holding one rep's target.
type Filter struct {
	Period string
	Now    time.Time
	Metric string
	TeamID string
	RepID  string
}
