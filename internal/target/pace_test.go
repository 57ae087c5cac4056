package target_test

import (
	"testing"
	"time"

	"bullpen/internal/pace"
	"bullpen/internal/target"
)

func TestPaceCountsSellingDaysInTheSetsTimeZone(t *testing.T) {
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	cal, err := pace.NewCalendar(time.UTC, weekdays, nil)
	if err != nil {
		t.Fatal(err)
	}
	// November 2026 has 21 weekdays (the 1st is a Sunday). At 00:30 on Saturday the 14th in
	// Berlin, 10 have passed there: 1000.00 so far heads for 1000 × 21 ÷ 10 = 2100.00, and
	// 4200.00 needs (4200 − 1000) ÷ 11 = 290.909… → 290.91 a day. In UTC it is still Friday
	// 23:30, and the projection would be another.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	p, _ := target.ParsePeriod("2026-11")
	start, end := p.Bounds(berlin)
	s := &target.Set{ID: 1, Period: "2026-11", Metric: "revenue", TeamID: "east", Timezone: "Europe/Berlin", Start: start, End: end}
	now := time.Date(2026, 11, 13, 23, 30, 0, 0, time.UTC)
	a := target.Of(s, 100000, 420000, target.PaceBy(cal, func() time.Time { return now }))
	if a.Projected == nil || *a.Projected != 210000 || a.NeededPerDay == nil || *a.NeededPerDay != 29091 {
		t.Fatalf("pace %+v", a)
	}
	if b := target.Of(s, 100000, 420000, nil); b.Projected != nil || b.NeededPerDay != nil {
		t.Fatalf("without a calendar: %+v", b)
	}
	reached := target.Of(s, 500000, 420000, target.PaceBy(cal, func() time.Time { return now }))
	if *reached.NeededPerDay != 0 {
		t.Fatalf("a reached target needs %v a day", *reached.NeededPerDay)
	}
}
