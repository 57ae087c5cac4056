package pace_test

import (
	"testing"
	"time"

	"bullpen/internal/pace"
)

var (
	weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	everyDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustCalendar(t *testing.T, loc *time.Location, days []time.Weekday, holidays ...string) pace.Calendar {
	t.Helper()
	c, err := pace.NewCalendar(loc, days, holidays)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// at is a local wall time "2026-04-15 12:00" in loc.
func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSellingDaysCountWholeDaysAndSharesOfADaysOwnLength(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	utc := mustCalendar(t, time.UTC, weekdays)
	nyAll := mustCalendar(t, ny, everyDay)
	nyWeek := mustCalendar(t, ny, weekdays)
	cases := []struct {
		name     string
		c        pace.Calendar
		loc      *time.Location
		from, to string
		want     float64
	}{
		// April 2026 starts on a Wednesday: W T F, then four weeks (6–10, 13–17, 20–24) and
		// M–Th 27–30: 3 + 5 + 5 + 5 + 4 = 22.
		{"April", utc, time.UTC, "2026-04-01 00:00", "2026-05-01 00:00", 22},
		// Saturday and Sunday add nothing: Fri 10 18:00 to Mon 13 06:00 is 6h + 6h = 0.5.
		{"over a weekend", utc, time.UTC, "2026-04-10 18:00", "2026-04-13 06:00", 0.5},
		{"inside one day", utc, time.UTC, "2026-04-15 06:00", "2026-04-15 18:00", 0.5},
		{"a weekend alone", utc, time.UTC, "2026-04-11 00:00", "2026-04-13 00:00", 0},
		{"empty", utc, time.UTC, "2026-04-15 06:00", "2026-04-15 06:00", 0},
		{"backwards", utc, time.UTC, "2026-04-16 06:00", "2026-04-15 06:00", 0},
		// 2026-03-08 in New York lasts 23 hours (02:00 EST becomes 03:00 EDT): the whole day is
		// still one day, and noon EDT is 11 of its 23 hours in (05:00Z to 16:00Z).
		{"the 23-hour day whole", nyAll, ny, "2026-03-08 00:00", "2026-03-09 00:00", 1},
		{"the 23-hour day to noon", nyAll, ny, "2026-03-08 00:00", "2026-03-08 12:00", 11.0 / 23},
		// 2026-11-01 lasts 25 hours (02:00 EDT becomes 01:00 EST): noon EST is 13 of 25 hours in.
		{"the 25-hour day whole", nyAll, ny, "2026-11-01 00:00", "2026-11-02 00:00", 1},
		{"the 25-hour day to noon", nyAll, ny, "2026-11-01 00:00", "2026-11-01 12:00", 13.0 / 25},
		// Monday to Friday, the change falls on a Sunday: the week around it is 5 days.
		{"a week over the spring change", nyWeek, ny, "2026-03-07 00:00", "2026-03-14 00:00", 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.SellingDays(at(t, tc.loc, tc.from), at(t, tc.loc, tc.to)); got != tc.want {
				t.Errorf("SellingDays = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHolidaysAreNotSellingDays(t *testing.T) {
	// December 2026 starts on a Tuesday: T–F 1–4, weeks 7–11, 14–18, 21–25, and M–Th 28–31:
	// 4 + 5 + 5 + 5 + 4 = 23 weekdays; Christmas (Friday 25) off leaves 22. New Year's Day 2027
	// is outside the month and a Saturday holiday changes nothing.
	c := mustCalendar(t, time.UTC, weekdays, "2026-12-25", " 2027-01-01", "2026-12-26")
	if got := c.SellingDays(at(t, time.UTC, "2026-12-01 00:00"), at(t, time.UTC, "2027-01-01 00:00")); got != 22 {
		t.Errorf("December = %v selling days, want 22", got)
	}
	if got := c.SellingDays(at(t, time.UTC, "2026-12-25 00:00"), at(t, time.UTC, "2026-12-25 15:00")); got != 0 {
		t.Errorf("Christmas morning = %v selling days, want 0", got)
	}
	// Thu 24 12:00 → Mon 28 12:00: half of Thursday, nothing Friday to Sunday, half of Monday.
	if got := c.SellingDays(at(t, time.UTC, "2026-12-24 12:00"), at(t, time.UTC, "2026-12-28 12:00")); got != 1 {
		t.Errorf("over Christmas = %v selling days, want 1", got)
	}
}

func TestInKeepsTheDaysAndReadsHolidaysInTheNewZone(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	c := mustCalendar(t, time.UTC, weekdays, "2026-12-25").In(ny)
	if c.Location() != ny {
		t.Fatalf("Location() = %v, want America/New_York", c.Location())
	}
	// The UTC day of Christmas is 19:00 EST on the 24th to 19:00 EST on the 25th: the last 5
	// hours of Thursday 24 count (5/24 of a day), Christmas in New York does not.
	if got := c.SellingDays(time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 26, 0, 0, 0, 0, time.UTC)); got != 5.0/24 {
		t.Errorf("the UTC Christmas seen from New York = %v selling days, want 5/24", got)
	}
}

func TestNewCalendarRefusesWhatItCannotCount(t *testing.T) {
	if _, err := pace.NewCalendar(time.UTC, nil, nil); err == nil {
		t.Error("no selling day was accepted")
	}
	if _, err := pace.NewCalendar(time.UTC, []time.Weekday{7}, nil); err == nil {
		t.Error("weekday 7 was accepted")
	}
	if _, err := pace.NewCalendar(time.UTC, weekdays, []string{"25/12/2026"}); err == nil {
		t.Error("a holiday that is not YYYY-MM-DD was accepted")
	}
	c, err := pace.NewCalendar(nil, weekdays, nil)
	if err != nil || c.Location() != time.UTC {
		t.Errorf("a nil zone: %v, %v; want UTC", c.Location(), err)
	}
}
