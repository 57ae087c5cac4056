package contest

import (
	"time"

	"bullpen/internal/bullpen"
)

// Step is one contribution to an entrant's score, at the moment its event occurred.
type Step struct {
	At    time.Time
	Delta bullpen.Fixed
}

// FinishedAt is when an entrant finished a race: the moment (in occurred_at order, whatever
// order the events arrived in) from which its score reached the target and stayed there. nil
// when its score is below the target now. steps must be in occurred_at order.
func FinishedAt(steps []Step, target bullpen.Fixed) *time.Time {
	var score bullpen.Fixed
	var since *time.Time
	for i := range steps {
		score += steps[i].Delta
		switch {
		case score < target:
			since = nil
		case since == nil:
			at := steps[i].At
			since = &at
		}
	}
	return since
}

// RaceEnd is when a race ended: just after its max_winners-th finisher finished (so the event
// that finished it is inside the window); nil while fewer have finished. finished must be
// sorted, earliest first.
func (c *Contest) RaceEnd(finished []time.Time) *time.Time {
	if c.Kind != KindRace || c.MaxWinners < 1 || len(finished) < c.MaxWinners {
		return nil
	}
	t := finished[c.MaxWinners-1].Add(time.Microsecond)
	return &t
}
