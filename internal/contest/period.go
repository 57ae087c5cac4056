package contest

import (
	"time"
)

// PeriodKeyNone is the key of the one board of a contest without periods.
const PeriodKeyNone = "all"

// Period is one board of a contest: [Start, End) in the contest's time zone, named by Key
// (the local date it starts on, or "all").
type Period struct {
	Key   string     `json:"key"`
	Start time.Time  `json:"start"`
	End   *time.Time `json:"end"`
}

// PeriodAt returns the period that t falls in. For a contest without periods it is the
// contest's whole window.
func (c *Contest) PeriodAt(t time.Time) Period {
	if c.Period == PeriodNone || c.Period == "" {
		return Period{Key: PeriodKeyNone, Start: c.StartsAt, End: c.EndsAt}
	}
	loc := c.Location()
	lt := t.In(loc)
	y, m, d := lt.Date()
	var start, end time.Time
	switch c.Period {
	case PeriodDay:
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
		end = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	case PeriodWeek:
		back := (int(lt.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, m, d-back, 0, 0, 0, 0, loc)
		end = time.Date(y, m, d-back+7, 0, 0, 0, 0, loc)
	case PeriodMonth:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		end = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
	case PeriodQuarter:
		qm := time.Month((int(m)-1)/3*3 + 1)
		start = time.Date(y, qm, 1, 0, 0, 0, 0, loc)
		end = time.Date(y, qm+3, 1, 0, 0, 0, 0, loc)
	default:
		return Period{Key: PeriodKeyNone, Start: c.StartsAt, End: c.EndsAt}
	}
	return Period{Key: start.Format(time.DateOnly), Start: start, End: &end}
}

// PeriodByKey returns the period named by a local date (YYYY-MM-DD) of any day inside it.
func (c *Contest) PeriodByKey(key string) (Period, bool) {
	if c.Period == PeriodNone || c.Period == "" {
		return c.PeriodAt(c.StartsAt), key == PeriodKeyNone || key == ""
	}
	d, err := time.ParseInLocation(time.DateOnly, key, c.Location())
	if err != nil {
		return Period{}, false
	}
	return c.PeriodAt(d.Add(12 * time.Hour)), true
}

// FinalAt is when the board of period p becomes final: the end of the period (or of the
// contest, when that comes first) plus the grace. nil for an open-ended contest.
func (c *Contest) FinalAt(p Period, grace time.Duration) *time.Time {
	end := p.End
	if e := c.EffectiveEnd(); e != nil && (end == nil || e.Before(*end)) {
		end = e
	}
	if end == nil {
		return nil
	}
	t := end.Add(grace)
	return &t
}

// Accepts says whether an event that occurred at occurred and arrived at arrived counts, and
// on which period's board: it must fall within the contest's window and arrive before that
// board became final.
func (c *Contest) Accepts(occurred, arrived time.Time, grace time.Duration) (Period, bool) {
	if !c.InWindow(occurred) {
		return Period{}, false
	}
	p := c.PeriodAt(occurred)
	return p, c.Open(p, arrived, grace)
}

// Open reports whether the board of period p still takes changes that arrive at arrived.
func (c *Contest) Open(p Period, arrived time.Time, grace time.Duration) bool {
	fin := c.FinalAt(p, grace)
	return fin == nil || arrived.Before(*fin)
}
