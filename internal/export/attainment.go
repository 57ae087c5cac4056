package export

import (
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/target"
)

// AttainmentColumns is the order of the attainment export (docs/api.md "Exports"): new columns
// go at the end.
var AttainmentColumns = []string{"period", "period_start", "period_end", "timezone", "metric", "team_id", "scope",
	"rep_id", "rep_name", "target", "target_derived", "value", "pct", "currency"}

// AttainmentFilter selects the target sets of one period, of one team when TeamID is set.
type AttainmentFilter struct {
	Period, TeamID string
}

// ParseAttainmentFilter reads ?period= (required: a month 2026-11 or a quarter 2026-Q4) and
// ?team_id=, refusing a bad one naming it.
func ParseAttainmentFilter(period, teamID string) (AttainmentFilter, error) {
	if period == "" {
		return AttainmentFilter{}, bullpen.Invalid("period", "period is required: a month (2026-11) or a quarter (2026-Q4)")
	}
	if _, err := target.ParsePeriod(period); err != nil {
		return AttainmentFilter{}, bullpen.Invalid("period", "period must be a month (2026-11) or a quarter (2026-Q4)")
	}
	if err := bullpen.CheckText("team_id", teamID, false, 100); err != nil {
		return AttainmentFilter{}, err
	}
	return AttainmentFilter{Period: period, TeamID: teamID}, nil
}

// AttainmentRow is one line of a target set: the team's (RepID empty), whose target is its own
// or, Derived, the sum of its reps', and whose value is the sum of every rep's row in the set;
// or one rep's target and value.
type AttainmentRow struct {
	Period, Timezone, Metric, TeamID string
	Start, End                       time.Time
	RepID, Name                      string
	Target, Value                    bullpen.Fixed
	Derived                          bool
}

// Write writes the row; currency is the one revenue is in.
func (r *AttainmentRow) Write(cw *Writer, currency string) error {
	cw.Word(r.Period)
	cw.Time(&r.Start)
	cw.Time(&r.End)
	cw.Word(r.Timezone)
	cw.Word(r.Metric)
	cw.Text(r.TeamID)
	if r.RepID == "" {
		cw.Word("team")
	} else {
		cw.Word("rep")
	}
	cw.Text(r.RepID)
	cw.Text(r.Name)
	cw.Money(r.Target)
	if r.Derived {
		cw.Word("true")
	} else {
		cw.Word("false")
	}
	cw.Money(r.Value)
	cw.Percent(target.Pct(r.Value, r.Target))
	if r.Metric == contest.MetricRevenue {
		cw.Word(currency)
	} else {
		cw.Empty()
	}
	return cw.End()
}
