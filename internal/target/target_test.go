package target_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/target"
)

func TestParsePeriodAndItsEdgesInATimeZone(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		key        string
		loc        *time.Location
		start, end string // UTC
	}{
		{"2026-12", time.UTC, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"2026-11", berlin, "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z"},
		{"2026-03", berlin, "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z"}, // summer time from the 29th
		{"2026-Q4", ny, "2026-10-01T04:00:00Z", "2027-01-01T05:00:00Z"},
		{"2026-Q1", time.UTC, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"},
	}
	for _, tc := range cases {
		p, err := target.ParsePeriod(tc.key)
		if err != nil {
			t.Fatalf("%s: %v", tc.key, err)
		}
		s, e := p.Bounds(tc.loc)
		if got := s.UTC().Format(time.RFC3339) + " " + e.UTC().Format(time.RFC3339); got != tc.start+" "+tc.end {
			t.Errorf("%s in %s: %s, want %s %s", tc.key, tc.loc, got, tc.start, tc.end)
		}
	}
	for _, bad := range []string{"", "2026", "2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026-W05", "26-12", "2026-1", "2026/12", "+026-12", "2026-12-01"} {
		if _, err := target.ParsePeriod(bad); err == nil {
			t.Errorf("%q is taken as a period", bad)
		}
	}
	if m, q := target.PeriodsAt(time.Date(2026, 9, 30, 22, 30, 0, 0, time.UTC), berlin); m != "2026-10" || q != "2026-Q4" {
		t.Errorf("22:30Z on 30 September is %s %s in Berlin", m, q)
	}
}

func TestPctIsExactToTwoDecimals(t *testing.T) {
	cases := []struct {
		value, target bullpen.Fixed
		want          string
	}{
		{120050, 240100, "50"},
		{150050, 340100, "44.12"}, // 44.1193…
		{1, 300, "0.33"},          // 0.3333…
		{2, 300, "0.67"},          // 0.6666…
		{1, 800, "0.13"},          // 0.125: half up
		{-1, 800, "-0.13"},
		{500, 100, "500"},
		{0, 100, "0"},
		{100, 0, "null"},
	}
	for _, tc := range cases {
		p := target.Pct(tc.value, tc.target)
		got := "null"
		if p != nil {
			got = strconv.FormatFloat(*p, 'f', -1, 64)
		}
		if got != tc.want {
			t.Errorf("%v of %v: %s %%, want %s", tc.value, tc.target, got, tc.want)
		}
	}
}

func TestTeamTargetIsItsOwnOrTheSumOfItsReps(t *testing.T) {
	own := bullpen.Fixed(100000)
	if got := target.TeamTarget(&own, []bullpen.Fixed{1, 2}); got != own {
		t.Errorf("own target: %v", got)
	}
	if got := target.TeamTarget(nil, []bullpen.Fixed{250050, 49950}); got != 300000 {
		t.Errorf("sum: %v", got)
	}
	if got := target.TeamTarget(nil, nil); got != 0 {
		t.Errorf("no targets: %v", got)
	}
}

func TestBoardRanksRepsByExactPercentThenValueThenID(t *testing.T) {
	s := &target.Set{ID: 1, Period: "2026-12", Metric: "revenue", TeamID: "east", Timezone: "UTC"}
	tg := target.Targets{Reps: map[string]bullpen.Fixed{"ana": 300, "bo": 299999, "cy": 0, "dee": 600, "eve": 300}}
	vals := map[string]bullpen.Fixed{"ana": 100, "bo": 100000, "cy": 500, "dee": 200, "eve": 100, "gone": 7}
	b := target.BuildBoard(s, tg, vals, map[string]bullpen.Rep{"ana": {RepID: "ana", Name: "Ana"}}, nil)
	// bo 33.3334 % > dee 33.33…% (200/600) = ana, eve 33.33…% (100/300); dee has more value;
	// ana before eve by id; cy has no percent.
	var order []string
	for _, r := range b.Reps {
		order = append(order, r.RepID)
		if r.Rank != len(order) {
			t.Errorf("%s ranked %d at place %d", r.RepID, r.Rank, len(order))
		}
	}
	if got := strings.Join(order, " "); got != "bo dee ana eve cy" {
		t.Errorf("order %s", got)
	}
	if b.Team.Value != 100907 || b.Team.Target != 301199 || b.Team.Own || b.Reps[2].Name != "Ana" {
		t.Errorf("team line %+v, ana %+v", b.Team, b.Reps[2])
	}
}

func TestMarksNameSetsAmongContests(t *testing.T) {
	if id, ok := target.ParseMark(target.Mark(42)); !ok || id != 42 {
		t.Errorf("mark of 42 reads %d %v", id, ok)
	}
	for _, m := range []string{"3f2a8c4e-0000-4000-8000-000000000000", "t:", "t:x"} {
		if _, ok := target.ParseMark(m); ok {
			t.Errorf("%q names a set", m)
		}
	}
}
