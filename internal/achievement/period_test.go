package achievement_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
)

func TestBestPeriod(t *testing.T) {
	on := achievement.Rules{BestPeriod: achievement.PeriodRule{Rule: achievement.Rule{Enabled: true, Points: 30}, Period: achievement.Month}}
	std := achievement.Award{Kind: achievement.BestPeriod, Key: "2026-04"}
	rev := achievement.Award{Kind: achievement.BestPeriod, Key: "2026-04", RevokedAt: &revokedAt}
	// april is April at total, February (1000) the best before it.
	april := func(total bullpen.Fixed) achievement.Period {
		return achievement.Period{Key: "2026-04", Total: total, Rival: "2026-02", RivalTotal: 1000}
	}
	apr := []string{"best_period 2026-04"}
	grew := func(p achievement.Period) achievement.Period { p.Grew = true; return p }
	cases := []struct {
		name    string
		rules   achievement.Rules
		period  achievement.Period
		awards  []achievement.Award
		earned  []string
		revoked []string
	}{
		{name: "a month above every earlier one is the best", rules: on, period: april(1001), earned: apr},
		{name: "a tie with the best before is none", rules: on, period: april(1000)},
		{name: "a first period with revenue is none", rules: on, period: achievement.Period{Key: "2026-04", Total: 5000}},
		{name: "a standing best that grows is not awarded twice", rules: on, period: april(9000), awards: []achievement.Award{std}},
		{name: "a reversal back to the best before revokes it", rules: on, period: april(1000), awards: []achievement.Award{std}, revoked: apr},
		{name: "a standing best that only grew is not read again", rules: on, period: grew(achievement.Period{Key: "2026-04"}), awards: []achievement.Award{std}},
		{name: "a revoked best that grew past the best again is earned again", rules: on, period: grew(april(1200)), awards: []achievement.Award{rev}, earned: apr},
		{name: "a reversal that leaves it above the best keeps it", rules: on, period: april(1500), awards: []achievement.Award{std}},
		{name: "passing the best again earns it again", rules: on, period: april(1200), awards: []achievement.Award{rev}, earned: apr},
		{name: "switched off it neither awards nor revokes", rules: achievement.Rules{}, period: april(10), awards: []achievement.Award{std}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := achievement.Rep{RepID: "r-1", Wins: map[time.Time]int{}, Periods: []achievement.Period{c.period}, Awards: c.awards}
			out := achievement.Decide(achievement.Input{Rules: c.rules, Calendar: calendar(t), Reps: []achievement.Rep{rep}})
			earned, revoked := keysOf(out)
			if !slices.Equal(earned, c.earned) || !slices.Equal(revoked, c.revoked) {
				t.Fatalf("earned %q, revoked %q; want %q, %q", earned, revoked, c.earned, c.revoked)
			}
			for _, e := range out.Earned {
				if e.Points != 30 || !strings.Contains(e.Note, "2026-02") {
					t.Errorf("earned %+v: want the rule's points and a note naming the best before", e)
				}
			}
			for _, r := range out.Revoked {
				if r.Note != "Revoked: 2026-04 fell to 10, not above 10 in 2026-02" {
					t.Errorf("revoked with note %q", r.Note)
				}
			}
		})
	}
}

func TestSpanCountsWeeksFromMondayAndMonthsInTheLocalZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	local := func(at string) time.Time {
		u, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		y, m, d := u.In(ny).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	cases := []struct {
		unit, at, key, first, next string
	}{
		// 1 April 2026, 03:30 UTC, is still 31 March in New York.
		{achievement.Month, "2026-04-01T03:30:00Z", "2026-03", "2026-03-01", "2026-04-01"},
		{achievement.Month, "2026-04-01T04:30:00Z", "2026-04", "2026-04-01", "2026-05-01"},
		// Monday 6 April, 02:00 UTC, is Sunday evening in New York: the week of Monday 30 March.
		{achievement.Week, "2026-04-06T02:00:00Z", "2026-W14", "2026-03-30", "2026-04-06"},
		{achievement.Week, "2026-04-06T05:00:00Z", "2026-W15", "2026-04-06", "2026-04-13"},
		// Friday 1 January 2027 is in the last ISO week of 2026.
		{achievement.Week, "2027-01-01T17:00:00Z", "2026-W53", "2026-12-28", "2027-01-04"},
	}
	for _, c := range cases {
		key, first, next := achievement.Span(c.unit, local(c.at))
		if key != c.key || first != date(c.first) || next != date(c.next) {
			t.Errorf("%s of %s: %s %s..%s; want %s %s..%s", c.unit, c.at, key, first.Format(time.DateOnly), next.Format(time.DateOnly),
				c.key, c.first, c.next)
		}
	}
}
