package contest_test

import (
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPointsRoundHalfUpPerEvent(t *testing.T) {
	c := contest.Contest{Metric: contest.MetricPoints, Weights: map[string]bullpen.Fixed{"deal.won": 1000, "call": 100, contest.WeightRevenuePerPoint: 300000}}
	// 1000.00 / 3000 = 0.3333 -> 0.33 points, plus 10 for the win.
	if got := c.DealValue(100000, 1); got != 1033 {
		t.Fatalf("DealValue = %v, want 10.33", got)
	}
	// 5.00 / 3000 * ... half up: 4500.00/3000 = 1.5 exactly -> 1.50
	if got := c.DealValue(450000, 1); got != 1150 {
		t.Fatalf("DealValue = %v, want 11.5", got)
	}
	// 0.005 rounds up: amount 0.15 / 30 = 0.005 -> 0.01
	c.Weights[contest.WeightRevenuePerPoint] = 3000
	if got := c.DealValue(15, 1) - 1000; got != 1 {
		t.Fatalf("revenue points = %v, want 0.01", got)
	}
	if v, ok := c.ActivityValue("call"); !ok || v != 100 {
		t.Fatalf("ActivityValue(call) = %v %v", v, ok)
	}
	if _, ok := c.ActivityValue("email"); ok {
		t.Fatal("an activity without a weight counted")
	}
}

func TestDayPeriodsFollowDaylightSaving(t *testing.T) {
	c := contest.Contest{Period: contest.PeriodDay, Timezone: "America/New_York"}
	p := c.PeriodAt(mustTime(t, "2026-11-01T12:00:00-05:00"))
	if p.Key != "2026-11-01" || p.End.Sub(p.Start) != 25*time.Hour {
		t.Fatalf("fall-back day: key %s length %v", p.Key, p.End.Sub(p.Start))
	}
	// 03:30 UTC on Nov 2 is still Nov 1 in New York (22:30 EST).
	if p := c.PeriodAt(mustTime(t, "2026-11-02T03:30:00Z")); p.Key != "2026-11-01" {
		t.Fatalf("late evening landed on %s", p.Key)
	}
	spring := c.PeriodAt(mustTime(t, "2026-03-08T12:00:00-04:00"))
	if spring.End.Sub(spring.Start) != 23*time.Hour {
		t.Fatalf("spring-forward day lasts %v", spring.End.Sub(spring.Start))
	}
}

func TestWeekMonthQuarterPeriods(t *testing.T) {
	at := mustTime(t, "2026-11-29T10:00:00Z") // a Sunday
	cases := map[string]string{contest.PeriodWeek: "2026-11-23", contest.PeriodMonth: "2026-11-01", contest.PeriodQuarter: "2026-10-01", contest.PeriodNone: contest.PeriodKeyNone}
	for period, want := range cases {
		c := contest.Contest{Period: period, Timezone: "UTC", StartsAt: at}
		if got := c.PeriodAt(at).Key; got != want {
			t.Errorf("%s: key %s, want %s", period, got, want)
		}
	}
}

func TestNormalizeNamesTheBadField(t *testing.T) {
	start := mustTime(t, "2026-12-01T09:00:00-05:00")
	end := start.Add(24 * time.Hour)
	valid := func() contest.Contest {
		return contest.Contest{Name: "Sprint", Metric: contest.MetricRevenue, StartsAt: start, EndsAt: &end}
	}
	cases := []struct {
		field string
		edit  func(*contest.Contest)
	}{
		{"name", func(c *contest.Contest) { c.Name = " " }},
		{"metric", func(c *contest.Contest) { c.Metric = "smiles" }},
		{"weights", func(c *contest.Contest) { c.Weights = map[string]bullpen.Fixed{"call": 1} }},
		{"weights", func(c *contest.Contest) { c.Metric = contest.MetricPoints }},
		{"ends_at", func(c *contest.Contest) { c.EndsAt = &start }},
		{"timezone", func(c *contest.Contest) { c.Timezone = "Mars/Olympus" }},
		{"period", func(c *contest.Contest) { c.Period = "fortnight" }},
		{"prizes.1.points", func(c *contest.Contest) { c.Prizes = []contest.Prize{{Rank: 1, Points: 5}, {Rank: 2, Points: 0}} }},
		{"prizes.1.rank", func(c *contest.Contest) { c.Prizes = []contest.Prize{{Rank: 1, Points: 5}, {Rank: 1, Points: 3}} }},
		{"participants.teams.0", func(c *contest.Contest) { c.Participants = &contest.Participants{Teams: []string{"ea\tst"}} }},
	}
	for _, tc := range cases {
		c := valid()
		tc.edit(&c)
		err := c.Normalize()
		var be *bullpen.Error
		if err == nil {
			t.Errorf("%s: accepted", tc.field)
			continue
		}
		be, _ = err.(*bullpen.Error)
		if be == nil || be.Field != tc.field || be.Code != bullpen.EInvalid {
			t.Errorf("%s: got %v", tc.field, err)
		}
	}
	c := valid()
	if err := c.Normalize(); err != nil || c.Scope != contest.ScopeRep || c.Period != contest.PeriodNone {
		t.Fatalf("valid contest: %v %+v", err, c)
	}
}
