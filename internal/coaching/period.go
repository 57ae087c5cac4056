package coaching

import (
	"time"

	"bullpen/internal/bullpen"
)

// Range is the instants [From, To) a view covers.
type Range struct {
	From, To time.Time
}

const dateLayout = "2006-01-02"

// ParseRange reads the from and to of a request, each a local date in loc (YYYY-MM-DD, the
// whole day: from its first instant, to through its last) or an RFC 3339 time (from
// inclusive, to exclusive). Each defaults to its edge of the current month in loc, so with
// neither the range is this month. to must come after from, and at most a year after it.
// Errors name the query parameter.
func ParseRange(from, to string, loc *time.Location, now time.Time) (Range, error) {
	local := now.In(loc)
	monthStart := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
	r := Range{From: monthStart, To: monthStart.AddDate(0, 1, 0)}
	if from != "" {
		t, _, ok := parseEdge(from, loc)
		if !ok {
			return Range{}, bullpen.Invalid("from", "from must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
		r.From = t
	}
	if to != "" {
		t, isDate, ok := parseEdge(to, loc)
		if !ok {
			return Range{}, bullpen.Invalid("to", "to must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
		if isDate {
			t = t.AddDate(0, 0, 1) // through the whole day
		}
		r.To = t
	}
	if !r.To.After(r.From) {
		return Range{}, bullpen.Invalid("to", "to must come after from")
	}
	if r.To.After(r.From.In(loc).AddDate(1, 0, 0)) {
		return Range{}, bullpen.Invalid("to", "the range may span a year at most")
	}
	return r, nil
}

// parseEdge reads a local date (its first instant in loc) or an RFC 3339 time.
func parseEdge(s string, loc *time.Location) (t time.Time, isDate, ok bool) {
	if d, err := time.ParseInLocation(dateLayout, s, loc); err == nil {
		return d, true, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, true
	}
	return time.Time{}, false, false
}
