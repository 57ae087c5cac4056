package history

import (
	"cmp"
	"slices"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/target"
)

// TargetRow is a rep's target in one target set with what the ledger counts for it there.
type TargetRow struct {
	Period, Metric, TeamID, Timezone string
	Start, End                       time.Time
	Target, Value                    bullpen.Fixed
}

// RepTarget is a rep's target and attainment in one period.
type RepTarget struct {
	Period   string        `json:"period"`
	Kind     string        `json:"kind"` // month or quarter
	Metric   string        `json:"metric"`
	TeamID   string        `json:"team_id"`
	Timezone string        `json:"timezone"`
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Current  bool          `json:"current"` // now falls in the period: the value may still move
	Value    bullpen.Fixed `json:"value"`
	Target   bullpen.Fixed `json:"target"`
	Pct      *float64      `json:"pct"`
}

// RepTargets are a rep's targets period by period, grouped into series a chart can draw: by
// metric, months before quarters, each series' newest period first (then by team, for a rep
// who had a target in two teams in one period).
func RepTargets(rows []TargetRow, now time.Time) []RepTarget {
	out := make([]RepTarget, 0, len(rows))
	for _, r := range rows {
		p, _ := target.ParsePeriod(r.Period)
		out = append(out, RepTarget{Period: r.Period, Kind: p.Kind, Metric: r.Metric, TeamID: r.TeamID, Timezone: r.Timezone,
			Start: r.Start.UTC(), End: r.End.UTC(), Current: !now.Before(r.Start) && now.Before(r.End),
			Value: r.Value, Target: r.Target, Pct: target.Pct(r.Value, r.Target)})
	}
	slices.SortFunc(out, func(a, b RepTarget) int {
		return cmp.Or(cmp.Compare(a.Metric, b.Metric), cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)),
			cmp.Compare(b.Period, a.Period), cmp.Compare(a.TeamID, b.TeamID))
	})
	return out
}

func kindOrder(kind string) int {
	if kind == target.Month {
		return 0
	}
	return 1
}
