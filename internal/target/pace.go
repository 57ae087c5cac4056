package target

import (
	"sync"
	"time"

	"bullpen/internal/message"
	"bullpen/internal/pace"
)

// PaceBy is where attainments are heading by calendar c's selling days, counted in each set's
// own time zone, at the time now gives (docs/api.md §6 "Pace"): projected, and what is needed per
// remaining selling day to reach the target.
func PaceBy(c pace.Calendar, now func() time.Time) Pace {
	return func(s *Set) Projector {
		m := c.In(s.Location()).Moment(s.Start, s.End, now())
		return func(a *message.Attainment) {
			target := a.Target
			p := m.At(a.Value, &target)
			projected := p.Projected
			a.Projected, a.NeededPerDay = &projected, p.NeededPerDay
		}
	}
}

// Location is the set's time zone (UTC when unknown, which a stored set never is).
func (s *Set) Location() *time.Location {
	if l, ok := locations.Load(s.Timezone); ok {
		return l.(*time.Location)
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil || s.Timezone == "" {
		loc = time.UTC
	}
	locations.Store(s.Timezone, loc)
	return loc
}

// locations caches loaded time zones: loading one reads and parses the zone database.
var locations sync.Map
