package pace_test

import (
	"math"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/pace"
)

func money(f bullpen.Fixed) *bullpen.Fixed { return &f }

// paceCase is one hand-worked figure. Values are hundredths (bullpen.Fixed): 100000 is 1,000.00.
type paceCase struct {
	name            string
	c               pace.Calendar
	loc             *time.Location
	start, end, now string
	value           bullpen.Fixed
	target          *bullpen.Fixed
	elapsed, total  float64
	projected       bullpen.Fixed
	neededPerDay    *bullpen.Fixed // nil: no target given
}

func (tc paceCase) check(t *testing.T) {
	t.Helper()
	start, end, now := at(t, tc.loc, tc.start), at(t, tc.loc, tc.end), at(t, tc.loc, tc.now)
	tc.verify(t, "At", tc.c.At(tc.value, tc.target, start, end, now))
	// A board paces every row at one Moment: the same figures.
	tc.verify(t, "Moment.At", tc.c.Moment(start, end, now).At(tc.value, tc.target))
}

func (tc paceCase) verify(t *testing.T, by string, got pace.Pace) {
	t.Helper()
	if got.Elapsed != tc.elapsed || got.Total != tc.total {
		t.Errorf("%s: elapsed %v of %v selling days, want %v of %v", by, got.Elapsed, got.Total, tc.elapsed, tc.total)
	}
	if got.Projected != tc.projected {
		t.Errorf("%s: projected %s, want %s", by, got.Projected, tc.projected)
	}
	switch {
	case tc.neededPerDay == nil && got.NeededPerDay != nil:
		t.Errorf("%s: needed per day %s without a target, want nil", by, *got.NeededPerDay)
	case tc.neededPerDay != nil && got.NeededPerDay == nil:
		t.Errorf("%s: needed per day nil, want %s", by, *tc.neededPerDay)
	case tc.neededPerDay != nil && *got.NeededPerDay != *tc.neededPerDay:
		t.Errorf("%s: needed per day %s, want %s", by, *got.NeededPerDay, *tc.neededPerDay)
	}
}

// withTarget makes the cases of one UTC period of total selling days and one target.
func withTarget(c pace.Calendar, start, end string, total float64, target bullpen.Fixed) func(name, now string, value bullpen.Fixed, elapsed float64, projected, needed bullpen.Fixed) paceCase {
	return func(name, now string, value bullpen.Fixed, elapsed float64, projected, needed bullpen.Fixed) paceCase {
		return paceCase{name: name, c: c, loc: time.UTC, start: start, end: end, now: now,
			value: value, target: money(target), elapsed: elapsed, total: total, projected: projected, neededPerDay: &needed}
	}
}

// A month: April 2026, UTC, Monday to Friday, 22 selling days (see the calendar test), target
// 5,000.00.
func TestPaceOverAMonth(t *testing.T) {
	c := mustCalendar(t, time.UTC, weekdays)
	month := withTarget(c, "2026-04-01 00:00", "2026-05-01 00:00", 22, 500000)
	for _, tc := range []paceCase{
		// The period's first instant: no selling time yet, no run rate: the value itself; the
		// gap 5,000 − 10 = 4,990 over all 22 days is 226.8181… → 226.82.
		month("the boundary it starts on", "2026-04-01 00:00", 1000, 0, 1000, 22682),
		// One minute in (Wed 1 00:01) is 1/1440 of a day: 10.00 × 22 × 1440 = 316,800.00.
		// Needed: 4,990 ÷ (22 − 1/1440) = 4,990 × 1440 ÷ 31679 = 7,185,600 ÷ 31679 = 226.8253… → 226.83.
		month("its first minute", "2026-04-01 00:01", 1000, 1.0/1440, 31680000, 22683),
		// Wed 15 12:00: W–F 1–3 (3), 6–10 (5), Mon 13 and Tue 14 (2), half of Wed 15: 10.5.
		// 2,100 × 22 ÷ 10.5 = 4,400.00. Needed: 2,900 ÷ 11.5 = 252.1739… → 252.18 (up, never less).
		month("mid-month", "2026-04-15 12:00", 210000, 10.5, 440000, 25218),
		// A rep with no activity yet projects 0 and needs all of 5,000 over 11.5 days:
		// 434.7826… → 434.79.
		month("no activity yet", "2026-04-15 12:00", 0, 10.5, 0, 43479),
		// Already past the target: 6,000 × 22 ÷ 10.5 = 12,571.428… → 12,571.43; nothing needed.
		month("target reached", "2026-04-15 12:00", 600000, 10.5, 1257143, 0),
		// Sat 11 10:00: the week of 6–10 is done and Saturday adds nothing: 3 + 5 = 8.
		// 800 × 22 ÷ 8 = 2,200.00. Needed: 4,200 ÷ 14 = 300.00.
		month("a weekend now", "2026-04-11 10:00", 80000, 8, 220000, 30000),
		month("the same weekend, Sunday night", "2026-04-12 23:59", 80000, 8, 220000, 30000),
		// Thu 30 23:59: 22 − 1/1440 = 31679/1440 days. 31,679.00 × 22 × 1440 ÷ 31679 = 31,680.00.
		// Less than one selling day is left, so the whole gap is needed: 0 here (past the target).
		month("its last minute", "2026-04-30 23:59", 3167900, 22-1.0/1440, 3168000, 0),
		// Thu 30 12:00: 21.5 days; 4,300 × 22 ÷ 21.5 = 4,400.00; half a day left, so the whole
		// gap of 700.00 is needed (not 700 ÷ 0.5 = 1,400 a day).
		month("its last afternoon", "2026-04-30 12:00", 430000, 21.5, 440000, 70000),
		// Wed 29 12:00: 20.5 days, 1.5 left: 700 ÷ 1.5 = 466.666… → 466.67.
		month("a day and a half left", "2026-04-29 12:00", 430000, 20.5, 461463, 46667),
		// Fri May 1 00:00 is the end itself: the period is over, projected = value, and what is
		// missing is the whole gap 5,000 − 4,321.09 = 678.91.
		month("the boundary it ends on", "2026-05-01 00:00", 432109, 22, 432109, 67891),
		month("long after", "2026-06-15 09:00", 432109, 22, 432109, 67891),
		month("before it", "2026-03-31 23:00", 0, 0, 0, 22728),
	} {
		t.Run(tc.name, tc.check)
	}
}

// A quarter: Q2 2026, UTC, Monday to Friday. April 22, May 21 (Fri 1, then 4–8, 11–15, 18–22,
// 25–29), June 22 (1–5, 8–12, 15–19, 22–26, Mon 29, Tue 30): 65 selling days.
func TestPaceOverAQuarter(t *testing.T) {
	c := mustCalendar(t, time.UTC, weekdays)
	quarter := withTarget(c, "2026-04-01 00:00", "2026-07-01 00:00", 65, 500000)
	for _, tc := range []paceCase{
		// 10.00 × 65 × 1440 = 936,000.00. Needed: 4,990 × 1440 ÷ 93599 = 7,185,600 ÷ 93599
		// = 76.7700… (93599 × 76.77 = 7,185,595.23, short by 4.77) → 76.78.
		quarter("its first minute", "2026-04-01 00:01", 1000, 1.0/1440, 93600000, 7678),
		// The month boundary inside it, Fri May 1 00:00: all of April, 22 days.
		// 1,100 × 65 ÷ 22 = 3,250.00. Needed: 3,900 ÷ 43 = 90.6976… → 90.70.
		quarter("a month boundary inside it", "2026-05-01 00:00", 110000, 22, 325000, 9070),
		// Tue Jun 30 23:59: 65 − 1/1440 = 93599/1440; 935.99 × 65 × 1440 ÷ 93599 = 936.00.
		// The whole gap, 5,000 − 935.99 = 4,064.01, is needed in what is left of the day.
		quarter("its last minute", "2026-06-30 23:59", 93599, 65-1.0/1440, 93600, 406401),
		quarter("the boundary it ends on", "2026-07-01 00:00", 93599, 65, 93599, 406401),
	} {
		t.Run(tc.name, tc.check)
	}
}

// A selling floor open every day in New York through both 2026 DST changes: the days count 1
// each whatever their length, and a part of one is its share of that day's own hours.
func TestPaceThroughADSTChange(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	c := mustCalendar(t, ny, everyDay)
	for _, tc := range []paceCase{
		// March: 31 days. Sun 8 12:00 EDT: 7 days, then 11 of the 23 hours of the 8th
		// (00:00 EST = 05:00Z to 12:00 EDT = 16:00Z): 7 + 11/23 = 172/23.
		// 172.00 × 31 × 23 ÷ 172 = 713.00. Needed: (1,000 − 172) ÷ (31 − 172/23) = 828 × 23 ÷ 541
		// = 19,044 ÷ 541 = 35.2014… → 35.21.
		{name: "in the 23-hour day", c: c, loc: ny, start: "2026-03-01 00:00", end: "2026-04-01 00:00", now: "2026-03-08 12:00",
			value: 17200, target: money(100000), elapsed: 172.0 / 23, total: 31, projected: 71300, neededPerDay: money(3521)},
		// November: 30 days. Sun 1 12:00 EST: 13 of the 25 hours of the 1st (00:00 EDT = 04:00Z
		// to 12:00 EST = 17:00Z). 13.00 × 30 × 25 ÷ 13 = 750.00.
		{name: "in the 25-hour day", c: c, loc: ny, start: "2026-11-01 00:00", end: "2026-12-01 00:00", now: "2026-11-01 12:00",
			value: 1300, elapsed: 13.0 / 25, total: 30, projected: 75000},
		// Monday to Friday the change is on a Sunday and adds nothing: Mon 9 00:00 EDT is 5
		// days into March (Mon 2 – Fri 6) of 22 (2–6, 9–13, 16–20, 23–27, 30–31).
		// 500 × 22 ÷ 5 = 2,200.00.
		{name: "after it, weekdays only", c: mustCalendar(t, ny, weekdays), loc: ny, start: "2026-03-01 00:00", end: "2026-04-01 00:00",
			now: "2026-03-09 00:00", value: 50000, elapsed: 5, total: 22, projected: 220000},
	} {
		t.Run(tc.name, tc.check)
	}
}

// December 2026 with Christmas (Friday 25) off: 22 selling days (see the calendar test).
func TestPaceOverAHoliday(t *testing.T) {
	c := mustCalendar(t, time.UTC, weekdays, "2026-12-25")
	for _, tc := range []paceCase{
		// Christmas afternoon: Dec 1–4, 7–11, 14–18, 21–24 = 4 + 5 + 5 + 4 = 18, and the
		// holiday adds nothing. 1,800 × 22 ÷ 18 = 2,200.00.
		{name: "on the holiday", c: c, loc: time.UTC, start: "2026-12-01 00:00", end: "2027-01-01 00:00", now: "2026-12-25 15:00",
			value: 180000, elapsed: 18, total: 22, projected: 220000},
		{name: "after the holiday weekend", c: c, loc: time.UTC, start: "2026-12-01 00:00", end: "2027-01-01 00:00", now: "2026-12-28 00:00",
			value: 180000, elapsed: 18, total: 22, projected: 220000},
		// The same without the holiday: 23 days, and 15 of Christmas's 24 hours have passed:
		// 18.625 = 149/8. 1,800 × 23 × 8 ÷ 149 = 331,200 ÷ 149 = 2,222.8187… → 2,222.82.
		{name: "without it", c: mustCalendar(t, time.UTC, weekdays), loc: time.UTC, start: "2026-12-01 00:00", end: "2027-01-01 00:00",
			now: "2026-12-25 15:00", value: 180000, elapsed: 18.625, total: 23, projected: 222282},
	} {
		t.Run(tc.name, tc.check)
	}
}

func TestPaceEdges(t *testing.T) {
	c := mustCalendar(t, time.UTC, weekdays)
	// Mon Apr 6 to Sat Apr 11: 5 selling days; Wed 8 00:00 is 2 in, so the factor is 5/2.
	week := func(name string, value, projected bullpen.Fixed) paceCase {
		return paceCase{name: name, c: c, loc: time.UTC, start: "2026-04-06 00:00", end: "2026-04-11 00:00", now: "2026-04-08 00:00",
			value: value, elapsed: 2, total: 5, projected: projected}
	}
	for _, tc := range []paceCase{
		// 0.01 × 5/2 = 0.025: half a cent rounds up to 0.03; 0.03 × 5/2 = 0.075 → 0.08.
		week("a half cent rounds up", 1, 3),
		week("another half cent", 3, 8),
		// A negative score (reversals) rounds its half away from zero: −0.025 → −0.03.
		week("a negative half cent", -1, -3),
		// August 2026 starts on a Saturday: on Sunday 2 no selling time has passed, so the
		// weekend deal of 50.00 is the projection. 21 selling days (3–7, 10–14, 17–21, 24–28,
		// Mon 31); needed (2,100 − 50) ÷ 21 = 97.619… → 97.62.
		{name: "before the first selling moment", c: c, loc: time.UTC, start: "2026-08-01 00:00", end: "2026-09-01 00:00",
			now: "2026-08-02 10:00", value: 5000, target: money(210000), elapsed: 0, total: 21, projected: 5000, neededPerDay: money(9762)},
		// A period with no selling day at all (a weekend) has no run rate: value, and the whole gap.
		{name: "no selling time at all", c: c, loc: time.UTC, start: "2026-04-11 00:00", end: "2026-04-13 00:00",
			now: "2026-04-12 00:00", value: 700, target: money(1000), elapsed: 0, total: 0, projected: 700, neededPerDay: money(300)},
		// A gap of one cent over three days is 0.0033… a day: rounded up, 0.01.
		{name: "a cent over three days", c: c, loc: time.UTC, start: "2026-04-06 00:00", end: "2026-04-11 00:00",
			now: "2026-04-08 00:00", value: 0, target: money(1), elapsed: 2, total: 5, projected: 0, neededPerDay: money(1)},
	} {
		t.Run(tc.name, tc.check)
	}
}

// A projection from a moment of selling time can pass what a Fixed holds; it stops at the top.
func TestPaceSaturatesInsteadOfOverflowing(t *testing.T) {
	c := mustCalendar(t, time.UTC, weekdays)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := c.At(bullpen.FixedLimit, nil, start, start.AddDate(10, 0, 0), start.Add(time.Nanosecond))
	if p.Projected != math.MaxInt64 {
		t.Fatalf("projected %d, want the largest Fixed", p.Projected)
	}
	if got := c.Moment(start, start.AddDate(10, 0, 0), start.Add(time.Nanosecond)).Project(-bullpen.FixedLimit); got != math.MinInt64+1 {
		t.Fatalf("moment: projected %d, want the lowest Fixed", got)
	}
}

// Projecting many values at one Moment gives what At gives for each, cent for cent, at moments
// whose factor is not a round number (a third of a day in, mid-week, across a weekend).
func TestMomentProjectsAsAt(t *testing.T) {
	c := mustCalendar(t, time.UTC, weekdays)
	start, end := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, now := range []time.Time{start.Add(8 * time.Hour), start.Add(3*24*time.Hour + 7*time.Minute), start.AddDate(0, 0, 17).Add(13 * time.Hour)} {
		m := c.Moment(start, end, now)
		for v := bullpen.Fixed(-2003); v < 300_000; v += 997 {
			if got, want := m.Project(v), c.At(v, nil, start, end, now).Projected; got != want {
				t.Fatalf("at %s, %s: moment %s, At %s", now, v, got, want)
			}
			target := 150_000 + v/3
			if got, want := m.At(v, &target), c.At(v, &target, start, end, now); *got.NeededPerDay != *want.NeededPerDay {
				t.Fatalf("at %s, %s of %s: moment needs %s a day, At %s", now, v, target, *got.NeededPerDay, *want.NeededPerDay)
			}
		}
	}
}
