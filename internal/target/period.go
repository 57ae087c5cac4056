package target

import (
	"fmt"
	"strconv"
	"time"
)

// Period kinds a target is set for.
const (
	Month   = "month"
	Quarter = "quarter"
)

// Period is a month ("2026-12") or a quarter ("2026-Q4"), cut in a time zone when it is used.
type Period struct {
	Key   string
	Kind  string
	Year  int
	First time.Month // the period's first month
}

// ParsePeriod reads a period key.
func ParsePeriod(key string) (Period, error) {
	bad := fmt.Errorf("period must be a month (2026-12) or a quarter (2026-Q4), not %q", key)
	if len(key) != 7 || key[4] != '-' {
		return Period{}, bad
	}
	y, err := strconv.Atoi(key[:4])
	if err != nil || y < 1970 || y > 9998 || key[0] == '+' || key[0] == '-' {
		return Period{}, bad
	}
	if key[5] == 'Q' {
		q := key[6] - '0'
		if q < 1 || q > 4 {
			return Period{}, bad
		}
		return Period{Key: key, Kind: Quarter, Year: y, First: time.Month(3*int(q) - 2)}, nil
	}
	if key[5] < '0' || key[5] > '9' || key[6] < '0' || key[6] > '9' {
		return Period{}, bad
	}
	m := int(key[5]-'0')*10 + int(key[6]-'0')
	if m < 1 || m > 12 {
		return Period{}, bad
	}
	return Period{Key: key, Kind: Month, Year: y, First: time.Month(m)}, nil
}

// Bounds are the period's start and end, [start, end), at midnight in loc.
func (p Period) Bounds(loc *time.Location) (time.Time, time.Time) {
	months := 1
	if p.Kind == Quarter {
		months = 3
	}
	return time.Date(p.Year, p.First, 1, 0, 0, 0, 0, loc), time.Date(p.Year, p.First+time.Month(months), 1, 0, 0, 0, 0, loc)
}

// PeriodsAt are the keys of the month and the quarter that t falls in, in loc.
func PeriodsAt(t time.Time, loc *time.Location) (month, quarter string) {
	lt := t.In(loc)
	y, m, _ := lt.Date()
	return fmt.Sprintf("%04d-%02d", y, int(m)), fmt.Sprintf("%04d-Q%d", y, (int(m)-1)/3+1)
}
