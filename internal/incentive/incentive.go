// Package incentive holds the rules of spot incentives (docs/api.md §3 "Spot incentive"): "first
// 3 reps to close $5k+ before 5 pm win 200 points". Plain Go, no I/O.
package incentive

import (
	"fmt"
	"strings"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
)

// Statuses of an incentive.
const (
	StatusScheduled = "scheduled"
	StatusOpen      = "open"
	StatusClosed    = "closed"
)

// Incentive is a spot incentive as stored and shown.
type Incentive struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Condition    Condition  `json:"condition"`
	RewardPoints int64      `json:"reward_points"`
	MaxWinners   int        `json:"max_winners"`
	StartsAt     time.Time  `json:"starts_at"`
	EndsAt       time.Time  `json:"ends_at"`
	Audience     *Audience  `json:"audience"`
	Status       string     `json:"status"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"` // the launch: only events applied after it qualify
	Winners      []Winner   `json:"winners"`
}

// Condition is what an event must be to qualify.
type Condition struct {
	Type      string         `json:"type"`
	MinAmount *bullpen.Fixed `json:"min_amount"`
	Product   *string        `json:"product"`
}

// Audience limits an incentive to some teams and reps; empty means everyone.
type Audience struct {
	Teams []string `json:"teams"`
	Reps  []string `json:"reps"`
}

// Winner is a rep who won, with the event that won it.
type Winner struct {
	RepID        string     `json:"rep_id"`
	DealID       string     `json:"deal_id"`
	EventID      string     `json:"event_id"`
	WonAt        time.Time  `json:"won_at"`
	ClawedBackAt *time.Time `json:"clawed_back_at"`
}

// Normalize fills defaults (starts_at: now) and checks the rules; the error names the field.
func (i *Incentive) Normalize(now time.Time) error {
	i.Title = strings.TrimSpace(i.Title)
	if err := bullpen.CheckText("title", i.Title, true, 200); err != nil {
		return err
	}
	if i.Condition.Product != nil {
		if err := bullpen.CheckText("condition.product", *i.Condition.Product, false, 200); err != nil {
			return err
		}
	}
	switch {
	case i.Condition.Type == "":
		return bullpen.Invalid("condition.type", "condition.type is required")
	case i.Condition.Type != string(event.DealWon):
		return bullpen.Invalid("condition.type", "condition.type must be deal.won")
	case i.Condition.MinAmount != nil && *i.Condition.MinAmount < 0:
		return bullpen.Invalid("condition.min_amount", "min_amount must not be negative")
	case i.RewardPoints <= 0 || i.RewardPoints > bullpen.MaxAdjustment:
		return bullpen.Invalid("reward_points", "reward_points must be a positive whole number up to %d", bullpen.MaxAdjustment)
	case i.MaxWinners < 1 || i.MaxWinners > 1000:
		return bullpen.Invalid("max_winners", "max_winners must be between 1 and 1000")
	case i.EndsAt.IsZero():
		return bullpen.Invalid("ends_at", "ends_at is required")
	}
	if i.StartsAt.IsZero() {
		i.StartsAt = now
	}
	if !i.EndsAt.After(i.StartsAt) {
		return bullpen.Invalid("ends_at", "ends_at must be after starts_at")
	}
	if !i.EndsAt.After(now) {
		return bullpen.Invalid("ends_at", "ends_at must be in the future")
	}
	if i.Condition.Product != nil && *i.Condition.Product == "" {
		i.Condition.Product = nil
	}
	if i.Audience != nil {
		for n, t := range i.Audience.Teams {
			if t == "" || !bullpen.Storable(t) {
				return bullpen.Invalid(fmt.Sprintf("audience.teams.%d", n), "a team id must not be empty")
			}
		}
		for n, r := range i.Audience.Reps {
			if r == "" || !bullpen.Storable(r) {
				return bullpen.Invalid(fmt.Sprintf("audience.reps.%d", n), "a rep id must not be empty")
			}
		}
	}
	return nil
}

// StatusAt derives the status at now.
func (i *Incentive) StatusAt(now time.Time) string {
	switch {
	case i.EndedAt != nil && !now.Before(*i.EndedAt), !now.Before(i.EndsAt):
		return StatusClosed
	case now.Before(i.StartsAt):
		return StatusScheduled
	}
	return StatusOpen
}

// Qualifies reports whether a deal won by a rep of team, applied at appliedAt, qualifies:
// applied after the launch and before an early close, occurred inside the window, and matching
// the condition and the audience.
func (i *Incentive) Qualifies(ev event.Event, team string, appliedAt time.Time) bool {
	switch {
	case string(ev.Type) != i.Condition.Type,
		appliedAt.Before(i.CreatedAt),
		i.EndedAt != nil && !appliedAt.Before(*i.EndedAt),
		ev.OccurredAt.Before(i.StartsAt), !ev.OccurredAt.Before(i.EndsAt),
		i.Condition.MinAmount != nil && ev.Amount < *i.Condition.MinAmount,
		i.Condition.Product != nil && ev.Product != *i.Condition.Product:
		return false
	}
	return i.reaches(ev.RepID, team)
}

func (i *Incentive) reaches(rep, team string) bool {
	a := i.Audience
	if a == nil || (len(a.Teams) == 0 && len(a.Reps) == 0) {
		return true
	}
	for _, r := range a.Reps {
		if r == rep {
			return true
		}
	}
	for _, t := range a.Teams {
		if team != "" && t == team {
			return true
		}
	}
	return false
}

// RewardNote explains a reward to the rep: "200 points: First 3 to close $5k+ before 5pm, deal D-88121".
func (i *Incentive) RewardNote(dealID string) string {
	return fmt.Sprintf("%d points: %s, deal %s", i.RewardPoints, i.Title, dealID)
}

// ClawbackNote explains a clawback.
func (i *Incentive) ClawbackNote(dealID string) string {
	return fmt.Sprintf("-%d points: deal %s was reversed, so its reward from %q is taken back", i.RewardPoints, dealID, i.Title)
}
