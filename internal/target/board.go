package target

import (
	"cmp"
	"math/big"
	"slices"
	"strings"

	"bullpen/internal/bullpen"
	"bullpen/internal/message"
)

// Pace gives set s's Projector at one moment; nil leaves projected and needed_per_day out.
type Pace func(s *Set) Projector

// Projector fills in where an attainment is heading in its set's period (projected,
// needed_per_day). A board projects all its rows with one: counting the period's selling time
// is most of what pacing costs, and it is the same for every row.
type Projector func(a *message.Attainment)

// Of is a rep's (or a team's) attainment of target in set s.
func Of(s *Set, value, target bullpen.Fixed, pace Pace) message.Attainment {
	var at Projector
	if pace != nil {
		at = pace(s)
	}
	return of(s, value, target, at)
}

func of(s *Set, value, target bullpen.Fixed, at Projector) message.Attainment {
	a := message.Attainment{Period: s.Period, Metric: s.Metric, Value: value, Target: target, Pct: Pct(value, target)}
	if at != nil {
		at(&a)
	}
	return a
}

// Targets are a set's targets: the team's own (nil: none) and its reps'.
type Targets struct {
	Own  *bullpen.Fixed
	Reps map[string]bullpen.Fixed
}

// Team is the team's target: its own, or the sum of its reps'.
func (t Targets) Team() bullpen.Fixed {
	reps := make([]bullpen.Fixed, 0, len(t.Reps))
	for _, v := range t.Reps {
		reps = append(reps, v)
	}
	return TeamTarget(t.Own, reps)
}

// TeamValue is a team's value in a set: the sum of every rep's row, those of reps without a
// target or since moved to another team included (each row counts only the events judged by
// the set's team).
func TeamValue(values map[string]bullpen.Fixed) bullpen.Fixed {
	var sum bullpen.Fixed
	for _, v := range values {
		sum += v
	}
	return sum
}

// BuildBoard is a set's attainment board: the team's line, and the reps that have a target
// ranked by percent (highest first; a target of 0, which has no percent, last), then by value,
// then by rep_id. Ranks are 1..N without gaps.
// The reps' names come from dir.
func BuildBoard(s *Set, t Targets, values map[string]bullpen.Fixed, dir map[string]bullpen.Rep, pace Pace) message.AttainmentBoard {
	b := message.AttainmentBoard{TeamID: s.TeamID, Period: s.Period, Metric: s.Metric, Timezone: s.Timezone,
		Start: s.Start.UTC(), End: s.End.UTC(), Reps: make([]message.AttainmentLine, 0, len(t.Reps))}
	var at Projector
	if pace != nil {
		at = pace(s)
	}
	b.Team = message.TeamAttainment{Attainment: of(s, TeamValue(values), t.Team(), at), Own: t.Own != nil}
	for rep, target := range t.Reps {
		b.Reps = append(b.Reps, message.AttainmentLine{RepID: rep, Name: dir[rep].Name, Attainment: of(s, values[rep], target, at)})
	}
	slices.SortFunc(b.Reps, func(x, y message.AttainmentLine) int {
		if c := comparePct(y.Attainment, x.Attainment); c != 0 {
			return c
		}
		if x.Value != y.Value {
			if x.Value > y.Value {
				return -1
			}
			return 1
		}
		return strings.Compare(x.RepID, y.RepID)
	})
	for i := range b.Reps {
		b.Reps[i].Rank = i + 1
	}
	return b
}

// comparePct orders two attainments by value ÷ target exactly (not by the rounded percent, so
// 33.333…% stays below 33.334%); one without a percent is below any with one.
func comparePct(a, b message.Attainment) int {
	switch {
	case a.Target <= 0 && b.Target <= 0:
		return 0
	case a.Target <= 0:
		return -1
	case b.Target <= 0:
		return 1
	}
	return crossCompare(int64(a.Value), int64(b.Target), int64(b.Value), int64(a.Target))
}

// crossCompare compares a×b with c×d exactly: in int64 when no product can overflow (every
// figure under 30,000,000.00, so nearly always: a board sorts with it), else in big.Int.
func crossCompare(a, b, c, d int64) int {
	const safe = 3_000_000_000 // safe² < 2⁶³
	if inRange(a, safe) && inRange(b, safe) && inRange(c, safe) && inRange(d, safe) {
		return cmp.Compare(a*b, c*d)
	}
	l := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	return l.Cmp(new(big.Int).Mul(big.NewInt(c), big.NewInt(d)))
}

func inRange(v, limit int64) bool { return v > -limit && v < limit }
