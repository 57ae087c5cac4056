// Package contest holds the rules of contests (docs/api.md §3): what they measure, who takes
// part, their time window and periods, and how an event scores. Plain Go, no I/O.
package contest

import (
	"sync"
	"time"

	"bullpen/internal/bullpen"
)

// Kinds, metrics, scopes and periods as named by the contract.
const (
	KindLeaderboard = "leaderboard"
	KindRace        = "race"

	MetricRevenue = "revenue"
	MetricDeals   = "deals"
	MetricUnits   = "units"
	MetricPoints  = "points"

	ScopeRep  = "rep"
	ScopeTeam = "team"

	PeriodNone    = "none"
	PeriodDay     = "day"
	PeriodWeek    = "week"
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
)

// Statuses of a contest.
const (
	StatusScheduled = "scheduled"
	StatusLive      = "live"
	StatusEnded     = "ended"
	StatusFinal     = "final"
	StatusCancelled = "cancelled"
)

// WeightRevenuePerPoint is the weights key that turns an amount into points.
const WeightRevenuePerPoint = "revenue_per_point"

// Contest is a contest as stored and as the API shows it.
type Contest struct {
	ID           string                   `json:"id"`
	Name         string                   `json:"name"`
	Kind         string                   `json:"kind"`
	Metric       string                   `json:"metric"`
	Weights      map[string]bullpen.Fixed `json:"weights,omitempty"`
	Scope        string                   `json:"scope"`
	StartsAt     time.Time                `json:"starts_at"`
	EndsAt       *time.Time               `json:"ends_at"`
	Timezone     string                   `json:"timezone"`
	Period       string                   `json:"period"`
	Target       *bullpen.Fixed           `json:"target,omitempty"`
	MaxWinners   int                      `json:"max_winners,omitempty"`
	Participants *Participants            `json:"participants,omitempty"`
	Prizes       []Prize                  `json:"prizes"`
	MinScore     *bullpen.Fixed           `json:"min_score,omitempty"`
	Status       string                   `json:"status"`
	EndedAt      *time.Time               `json:"ended_at,omitempty"`
	RaceEndedAt  *time.Time               `json:"race_ended_at,omitempty"` // a race: when max_winners had finished
	CancelledAt  *time.Time               `json:"cancelled_at,omitempty"`
	FinalizedAt  *time.Time               `json:"finalized_at,omitempty"`
	CreatedBy    string                   `json:"created_by"`
	CreatedAt    time.Time                `json:"created_at"`
	UpdatedBy    string                   `json:"updated_by"`
	UpdatedAt    time.Time                `json:"updated_at"`

	loc *time.Location
}

// Participants limits a contest to some teams and reps; nil means everyone.
type Participants struct {
	Teams []string `json:"teams"`
	Reps  []string `json:"reps"`
}

// Prize pays points to a rank when the contest becomes final.
type Prize struct {
	Rank   int   `json:"rank"`
	Points int64 `json:"points"`
}

// Location returns the contest's time zone (UTC when unset or unknown).
func (c *Contest) Location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	return location(c.Timezone)
}

// locations caches loaded time zones: loading one reads and parses the zone database, and a
// contest shared between goroutines must not be written to.
var locations sync.Map

func location(name string) *time.Location {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc = time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// EffectiveEnd is when the contest stops counting events: the earliest of ends_at, an early
// end and, for a race, the moment its last winner finished; nil for a race still open-ended.
func (c *Contest) EffectiveEnd() *time.Time {
	end := c.EndsAt
	for _, t := range []*time.Time{c.EndedAt, c.RaceEndedAt} {
		if t != nil && (end == nil || t.Before(*end)) {
			end = t
		}
	}
	return end
}

// StatusAt derives the contest's status at now.
func (c *Contest) StatusAt(now time.Time) string {
	switch {
	case c.CancelledAt != nil:
		return StatusCancelled
	case c.FinalizedAt != nil:
		return StatusFinal
	}
	if end := c.EffectiveEnd(); end != nil && !now.Before(*end) {
		return StatusEnded
	}
	if now.Before(c.StartsAt) {
		return StatusScheduled
	}
	return StatusLive
}

// Takes reports whether a rep (with its current team) takes part.
func (c *Contest) Takes(repID, teamID string) bool {
	p := c.Participants
	if p == nil || (len(p.Teams) == 0 && len(p.Reps) == 0) {
		return true
	}
	for _, r := range p.Reps {
		if r == repID {
			return true
		}
	}
	if teamID != "" {
		for _, t := range p.Teams {
			if t == teamID {
				return true
			}
		}
	}
	return false
}

// Entrant is who holds a row of the standings for a rep: the rep, or its team in team scope.
// A rep without a team has no row on a team board.
func (c *Contest) Entrant(repID, teamID string) (string, bool) {
	if c.Scope == ScopeTeam {
		return teamID, teamID != ""
	}
	return repID, true
}

// InWindow reports whether an event that occurred at t falls within the contest's window.
func (c *Contest) InWindow(t time.Time) bool {
	if t.Before(c.StartsAt) {
		return false
	}
	end := c.EffectiveEnd()
	return end == nil || t.Before(*end)
}
