// Package pace is selling time and projections: how much selling time a period has, how much of
// it has passed, and where a value is heading at the run rate so far. Pure domain (std + bullpen).
// The method is written down in docs/api.md §6 "Pace".
package pace

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Calendar is when selling happens: weekdays in a time zone, minus holidays.
type Calendar struct {
	loc      *time.Location
	days     [7]bool // selling weekdays, by time.Weekday
	perWeek  int64
	holidays []int64 // civil days (days since 1970-01-01) on a selling weekday, sorted; shared read-only by copies
}

// NewCalendar: loc is the time zone, weekdays the selling days (config.Weekdays gives them from
// BULLPEN_SELLING_DAYS), holidays local dates "YYYY-MM-DD" (BULLPEN_HOLIDAYS) that are not selling days.
func NewCalendar(loc *time.Location, weekdays []time.Weekday, holidays []string) (Calendar, error) {
	if loc == nil {
		loc = time.UTC
	}
	c := Calendar{loc: loc}
	for _, d := range weekdays {
		if d < time.Sunday || d > time.Saturday {
			return Calendar{}, fmt.Errorf("pace: %d is not a weekday", d)
		}
		if !c.days[d] {
			c.days[d] = true
			c.perWeek++
		}
	}
	if c.perWeek == 0 {
		return Calendar{}, errors.New("pace: name at least one selling day")
	}
	for _, h := range holidays {
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(h))
		if err != nil {
			return Calendar{}, fmt.Errorf("pace: holiday %q is not a date such as 2026-12-25", h)
		}
		// A holiday on a day nobody sells takes nothing away, so it is not kept; that lets the
		// count of whole days subtract every kept holiday in range without looking again.
		if n := civil(t); c.days[weekdayOf(n)] {
			c.holidays = append(c.holidays, n)
		}
	}
	slices.Sort(c.holidays)
	c.holidays = slices.Compact(c.holidays)
	return c, nil
}

// Location is the time zone whose days the calendar counts.
func (c Calendar) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// In returns the same calendar in another time zone (a target set may name its own).
// Holidays stay local dates, now read in loc.
func (c Calendar) In(loc *time.Location) Calendar {
	if loc == nil {
		loc = time.UTC
	}
	c.loc = loc
	return c
}

// SellingDays is the selling time in [from, to), in days: every whole selling day counts 1, a part
// of one counts its share of that day's own length (23 or 25 hours on a DST change day).
func (c Calendar) SellingDays(from, to time.Time) float64 {
	f, _ := c.selling(from, to).Float64()
	return f
}

// selling is SellingDays exactly: the projection divides by it, and a float64 would make a
// figure on a cent's edge depend on how the days were added up.
func (c Calendar) selling(from, to time.Time) *big.Rat {
	sum := new(big.Rat)
	if !to.After(from) || c.perWeek == 0 {
		return sum
	}
	loc := c.Location()
	first, last := civil(from.In(loc)), civil(to.In(loc))
	if first == last {
		return c.addPart(sum, first, from, to)
	}
	c.addPart(sum, first, from, to)
	c.addPart(sum, last, from, to)
	return sum.Add(sum, new(big.Rat).SetInt64(c.wholeDays(first+1, last)))
}

// addPart adds to sum the share of civil day n that lies in [from, to), if n is a selling day.
func (c Calendar) addPart(sum *big.Rat, n int64, from, to time.Time) *big.Rat {
	if !c.sells(n) {
		return sum
	}
	start, end := c.midnight(n), c.midnight(n+1)
	a, b := from, to
	if a.Before(start) {
		a = start
	}
	if b.After(end) {
		b = end
	}
	if !b.After(a) {
		return sum
	}
	return sum.Add(sum, big.NewRat(int64(b.Sub(a)), int64(end.Sub(start))))
}

// wholeDays counts the selling days among civil days [a, b): whole weeks at once, the rest one
// by one, then the holidays in range (all of them fall on selling weekdays).
func (c Calendar) wholeDays(a, b int64) int64 {
	if b <= a {
		return 0
	}
	weeks := (b - a) / 7
	n := weeks * c.perWeek
	for d := a + weeks*7; d < b; d++ {
		if c.days[weekdayOf(d)] {
			n++
		}
	}
	lo, _ := slices.BinarySearch(c.holidays, a)
	hi, _ := slices.BinarySearch(c.holidays, b)
	return n - int64(hi-lo)
}

// SellsOn says whether day's date, read as written (in day's own zone: a civil date), is a
// selling day: a selling weekday that is no holiday.
func (c Calendar) SellsOn(day time.Time) bool {
	return c.perWeek > 0 && c.sells(civil(day))
}

func (c Calendar) sells(n int64) bool {
	if !c.days[weekdayOf(n)] {
		return false
	}
	_, holiday := slices.BinarySearch(c.holidays, n)
	return !holiday
}

// midnight is when civil day n starts in the calendar's zone. Where a zone skips midnight,
// time.Date picks an instant next to it, the same one for the day before and after, so days
// still tile the timeline without gap or overlap.
func (c Calendar) midnight(n int64) time.Time {
	y, m, d := time.Unix(n*86400, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.Location())
}

// civil is the number of the local date of t, days since 1970-01-01.
func civil(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400 // exact: a multiple of 86400
}

// weekdayOf is the weekday of civil day n (1970-01-01 was a Thursday).
func weekdayOf(n int64) time.Weekday {
	return time.Weekday(((n+4)%7 + 7) % 7)
}
