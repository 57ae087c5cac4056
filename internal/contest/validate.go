package contest

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"bullpen/internal/bullpen"
)

// Normalize fills defaults and checks a contest's rules; the error names the first bad field.
func (c *Contest) Normalize() error {
	c.Name = strings.TrimSpace(c.Name)
	if err := bullpen.CheckText("name", c.Name, true, 200); err != nil {
		return err
	}
	if c.Kind == "" {
		c.Kind = KindLeaderboard
	}
	switch c.Kind {
	case KindLeaderboard:
	case KindRace:
	default:
		return bullpen.Invalid("kind", "kind must be leaderboard or race")
	}
	switch c.Metric {
	case MetricRevenue, MetricDeals, MetricUnits, MetricPoints:
	case "":
		return bullpen.Invalid("metric", "metric is required")
	default:
		return bullpen.Invalid("metric", "metric must be revenue, deals, units or points")
	}
	if err := c.normalizeWeights(); err != nil {
		return err
	}
	if c.Scope == "" {
		c.Scope = ScopeRep
	}
	if c.Scope != ScopeRep && c.Scope != ScopeTeam {
		return bullpen.Invalid("scope", "scope must be rep or team")
	}
	if c.StartsAt.IsZero() {
		return bullpen.Invalid("starts_at", "starts_at is required")
	}
	if c.EndsAt == nil && c.Kind != KindRace {
		return bullpen.Invalid("ends_at", "ends_at is required for a leaderboard")
	}
	if c.EndsAt != nil && !c.EndsAt.After(c.StartsAt) {
		return bullpen.Invalid("ends_at", "ends_at must be after starts_at")
	}
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return bullpen.Invalid("timezone", "unknown time zone %q", c.Timezone)
	}
	c.loc = loc
	if c.Period == "" {
		c.Period = PeriodNone
	}
	switch c.Period {
	case PeriodNone, PeriodDay, PeriodWeek, PeriodMonth, PeriodQuarter:
	default:
		return bullpen.Invalid("period", "period must be none, day, week, month or quarter")
	}
	if err := c.normalizeRace(); err != nil {
		return err
	}
	if c.Participants != nil {
		if err := checkIDs("participants.teams", c.Participants.Teams); err != nil {
			return err
		}
		if err := checkIDs("participants.reps", c.Participants.Reps); err != nil {
			return err
		}
	}
	if c.Prizes == nil {
		c.Prizes = []Prize{}
	}
	seen := map[int]bool{}
	for i, p := range c.Prizes {
		if p.Rank < 1 {
			return bullpen.Invalid(fmt.Sprintf("prizes.%d.rank", i), "rank must be 1 or more")
		}
		if seen[p.Rank] {
			return bullpen.Invalid(fmt.Sprintf("prizes.%d.rank", i), "rank %d has two prizes", p.Rank)
		}
		seen[p.Rank] = true
		if p.Points <= 0 {
			return bullpen.Invalid(fmt.Sprintf("prizes.%d.points", i), "points must be a positive whole number")
		}
	}
	if c.MinScore != nil && *c.MinScore < 0 {
		return bullpen.Invalid("min_score", "min_score must not be negative")
	}
	return nil
}

func (c *Contest) normalizeWeights() error {
	if c.Metric != MetricPoints {
		if len(c.Weights) > 0 {
			return bullpen.Invalid("weights", "weights apply to metric points only")
		}
		c.Weights = nil
		return nil
	}
	if len(c.Weights) == 0 {
		return bullpen.Invalid("weights", "metric points needs weights")
	}
	for k, w := range c.Weights {
		field := "weights." + k
		if k == "" || utf8.RuneCountInString(k) > 40 || !bullpen.Storable(k) {
			return bullpen.Invalid(field, "a weight's name must be 1 to 40 characters of text")
		}
		if w < 0 {
			return bullpen.Invalid(field, "a weight must not be negative")
		}
		if k == WeightRevenuePerPoint && w == 0 {
			return bullpen.Invalid(field, "revenue_per_point must be positive")
		}
	}
	return nil
}

func checkIDs(field string, ids []string) error {
	for i, id := range ids {
		if !bullpen.ValidID(id) {
			return bullpen.Invalid(fmt.Sprintf("%s.%d", field, i), "an id must be 1 to 100 characters of text without control characters")
		}
	}
	return nil
}

// SameRules reports whether two versions of a contest count the same way: everything but the
// name. A live contest may change only its name.
func SameRules(a, b *Contest) (string, bool) {
	switch {
	case a.Kind != b.Kind:
		return "kind", false
	case a.Metric != b.Metric:
		return "metric", false
	case fmt.Sprint(a.Weights) != fmt.Sprint(b.Weights):
		return "weights", false
	case a.Scope != b.Scope:
		return "scope", false
	case !a.StartsAt.Equal(b.StartsAt):
		return "starts_at", false
	case !timeEq(a.EndsAt, b.EndsAt):
		return "ends_at", false
	case a.Timezone != b.Timezone:
		return "timezone", false
	case a.Period != b.Period:
		return "period", false
	case fmt.Sprint(a.Participants) != fmt.Sprint(b.Participants):
		return "participants", false
	case fmt.Sprint(a.Prizes) != fmt.Sprint(b.Prizes):
		return "prizes", false
	case fmt.Sprint(fixedVal(a.MinScore)) != fmt.Sprint(fixedVal(b.MinScore)):
		return "min_score", false
	}
	return "", true
}

func timeEq(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func fixedVal(f *bullpen.Fixed) any {
	if f == nil {
		return nil
	}
	return *f
}

func (c *Contest) normalizeRace() error {
	if c.Kind != KindRace {
		switch {
		case c.Target != nil:
			return bullpen.Invalid("target", "target applies to a race only")
		case c.MaxWinners != 0:
			return bullpen.Invalid("max_winners", "max_winners applies to a race only")
		}
		return nil
	}
	switch {
	case c.Target == nil:
		return bullpen.Invalid("target", "a race needs a target")
	case *c.Target <= 0:
		return bullpen.Invalid("target", "target must be positive")
	case c.Period != PeriodNone:
		return bullpen.Invalid("period", "a race has no periods")
	case c.MaxWinners < 0 || c.MaxWinners > 1000:
		return bullpen.Invalid("max_winners", "max_winners must be between 1 and 1000")
	case c.MaxWinners == 0:
		c.MaxWinners = 1
	}
	return nil
}
