package achievement_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
	"bullpen/internal/pace"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func calendar(t *testing.T, holidays ...string) pace.Calendar {
	t.Helper()
	cal, err := pace.NewCalendar(time.UTC, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, holidays)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func wins(days ...string) map[time.Time]int {
	m := map[time.Time]int{}
	for _, d := range days {
		m[date(d)]++
	}
	return m
}

func dates(days ...string) []time.Time {
	out := make([]time.Time, len(days))
	for i, d := range days {
		out[i] = date(d)
	}
	return out
}

var revokedAt = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func keysOf(o achievement.Outcome) (earned, revoked []string) {
	for _, e := range o.Earned {
		earned = append(earned, string(e.Kind)+" "+e.Key)
	}
	for _, r := range o.Revoked {
		revoked = append(revoked, string(r.Award.Kind)+" "+r.Award.Key)
	}
	return earned, revoked
}

func TestDecide(t *testing.T) {
	all := achievement.Rules{
		FirstWin: achievement.Rule{Enabled: true, Points: 5}, HatTrick: achievement.Rule{Enabled: true},
		Streak:      achievement.StreakRule{Rule: achievement.Rule{Enabled: true, Points: 50}, Days: 3},
		LargestDeal: achievement.Rule{Enabled: true}, QuotaClub: achievement.Rule{Enabled: true},
	}
	onlyStreak := achievement.Rules{Streak: all.Streak}
	// April 2026: Wed 1, Thu 2, Fri 3, Sat 4, Sun 5, Mon 6, Tue 7, Wed 8, Thu 9, Fri 10.
	cases := []struct {
		name     string
		rules    achievement.Rules
		holidays []string
		rep      achievement.Rep
		earned   []string
		revoked  []string
	}{
		{name: "a first win of the day", rules: all,
			rep:    achievement.Rep{Days: dates("2026-04-06"), Wins: wins("2026-04-06")},
			earned: []string{"first_win 2026-04-06"}},
		{name: "a second win earns no second first win", rules: all,
			rep: achievement.Rep{Days: dates("2026-04-06"), Wins: wins("2026-04-06", "2026-04-06"),
				Awards: []achievement.Award{{Kind: achievement.FirstWin, Key: "2026-04-06"}}}},
		{name: "the third win of a day is a hat-trick", rules: all,
			rep: achievement.Rep{Days: dates("2026-04-06"), Wins: wins("2026-04-06", "2026-04-06", "2026-04-06"),
				Awards: []achievement.Award{{Kind: achievement.FirstWin, Key: "2026-04-06"}}},
			earned: []string{"hat_trick 2026-04-06"}},
		{name: "a weekend day's win is a first win of that day", rules: all,
			rep:    achievement.Rep{Days: dates("2026-04-04"), Wins: wins("2026-04-04")},
			earned: []string{"first_win 2026-04-04"}},
		{name: "a reversal that leaves two wins revokes the hat-trick", rules: all,
			rep: achievement.Rep{Days: dates("2026-04-06"), Wins: wins("2026-04-06", "2026-04-06"),
				Awards: []achievement.Award{{Kind: achievement.FirstWin, Key: "2026-04-06"}, {Kind: achievement.HatTrick, Key: "2026-04-06"}}},
			revoked: []string{"hat_trick 2026-04-06"}},
		{name: "a revoked badge earned again is awarded again", rules: all,
			rep: achievement.Rep{Days: dates("2026-04-06"), Wins: wins("2026-04-06"),
				Awards: []achievement.Award{{Kind: achievement.FirstWin, Key: "2026-04-06", RevokedAt: &revokedAt}}},
			earned: []string{"first_win 2026-04-06"}},
		{name: "a rule switched off neither awards nor revokes", rules: achievement.Rules{HatTrick: all.HatTrick},
			rep: achievement.Rep{Days: dates("2026-04-06", "2026-04-07"), Wins: wins("2026-04-07"),
				Awards: []achievement.Award{{Kind: achievement.FirstWin, Key: "2026-04-06"}}}},
		{name: "a streak across a weekend counts selling days only", rules: onlyStreak,
			rep:    achievement.Rep{Days: dates("2026-04-06"), Wins: wins("2026-04-02", "2026-04-03", "2026-04-06")},
			earned: []string{"streak 2026-04-02+3"}},
		{name: "a weekend without wins does not break a streak", rules: onlyStreak,
			rep:    achievement.Rep{Days: dates("2026-04-03"), Wins: wins("2026-04-02", "2026-04-03", "2026-04-04", "2026-04-06")},
			earned: []string{"streak 2026-04-02+3"}},
		{name: "a holiday does not break a streak", rules: onlyStreak, holidays: []string{"2026-04-07"},
			rep:    achievement.Rep{Days: dates("2026-04-08"), Wins: wins("2026-04-06", "2026-04-08", "2026-04-09")},
			earned: []string{"streak 2026-04-06+3"}},
		{name: "a selling day without a win breaks it", rules: onlyStreak,
			rep: achievement.Rep{Days: dates("2026-04-09"), Wins: wins("2026-04-06", "2026-04-08", "2026-04-09")}},
		{name: "a streak is awarded once however long it runs on", rules: onlyStreak,
			rep: achievement.Rep{Days: dates("2026-04-09"), Wins: wins("2026-04-06", "2026-04-07", "2026-04-08", "2026-04-09"),
				Awards: []achievement.Award{{Kind: achievement.Streak, Key: "2026-04-06+3"}}}},
		{name: "twice its length is a second streak", rules: onlyStreak,
			rep: achievement.Rep{Days: dates("2026-04-13"),
				Wins:   wins("2026-04-06", "2026-04-07", "2026-04-08", "2026-04-09", "2026-04-10", "2026-04-13"),
				Awards: []achievement.Award{{Kind: achievement.Streak, Key: "2026-04-06+3"}}},
			earned: []string{"streak 2026-04-09+3"}},
		{name: "a late win completes a streak around it", rules: onlyStreak,
			rep:    achievement.Rep{Days: dates("2026-04-07"), Wins: wins("2026-04-06", "2026-04-07", "2026-04-08")},
			earned: []string{"streak 2026-04-06+3"}},
		{name: "a reversal inside a streak revokes it", rules: onlyStreak,
			rep: achievement.Rep{Days: dates("2026-04-07"), Wins: wins("2026-04-06", "2026-04-08"),
				Awards: []achievement.Award{{Kind: achievement.Streak, Key: "2026-04-06+3"}}},
			revoked: []string{"streak 2026-04-06+3"}},
		{name: "a day's second win judges no streak: its first did", rules: onlyStreak,
			rep: achievement.Rep{Days: dates("2026-04-08"), Wins: wins("2026-04-06", "2026-04-07", "2026-04-08", "2026-04-08"),
				Changed: map[time.Time]int{date("2026-04-08"): 1}}},
		{name: "two wins on a day that had none judge its streaks", rules: onlyStreak,
			rep: achievement.Rep{Days: dates("2026-04-08"), Wins: wins("2026-04-06", "2026-04-07", "2026-04-08", "2026-04-08"),
				Changed: map[time.Time]int{date("2026-04-08"): 2}},
			earned: []string{"streak 2026-04-06+3"}},
		{name: "a reversal that leaves a win on its day judges no streak", rules: onlyStreak,
			rep: achievement.Rep{Days: dates("2026-04-07"), Wins: wins("2026-04-06", "2026-04-07", "2026-04-08"),
				Changed: map[time.Time]int{date("2026-04-07"): -1}}},
		{name: "a streak of another length stands beside the rule's", rules: onlyStreak,
			rep: achievement.Rep{Days: dates("2026-04-08"), Wins: wins("2026-04-06", "2026-04-07", "2026-04-08"),
				Awards: []achievement.Award{{Kind: achievement.Streak, Key: "2026-04-06+2"}}},
			earned: nil},
		{name: "the largest deal with another won is a personal best", rules: all,
			rep: achievement.Rep{Deals: []achievement.Deal{{DealID: "b", Won: true, Amount: 500}},
				Top: []achievement.Deal{{DealID: "b", Won: true, Amount: 500}, {DealID: "a", Won: true, Amount: 400}}},
			earned: []string{"largest_deal b"}},
		{name: "a first deal is no personal best", rules: all,
			rep: achievement.Rep{Deals: []achievement.Deal{{DealID: "a", Won: true, Amount: 500}},
				Top: []achievement.Deal{{DealID: "a", Won: true, Amount: 500}}}},
		{name: "a tie is no personal best", rules: all,
			rep: achievement.Rep{Deals: []achievement.Deal{{DealID: "b", Won: true, Amount: 500}},
				Top: []achievement.Deal{{DealID: "a", Won: true, Amount: 500}, {DealID: "b", Won: true, Amount: 500}}}},
		{name: "a reversed personal best is revoked", rules: all,
			rep: achievement.Rep{Deals: []achievement.Deal{{DealID: "b", Amount: 500}},
				Top:    []achievement.Deal{{DealID: "a", Won: true, Amount: 400}},
				Awards: []achievement.Award{{Kind: achievement.LargestDeal, Key: "b"}}},
			revoked: []string{"largest_deal b"}},
		{name: "a personal best overtaken keeps its badge", rules: all,
			rep: achievement.Rep{Deals: []achievement.Deal{{DealID: "b", Won: true, Amount: 500}},
				Top:    []achievement.Deal{{DealID: "c", Won: true, Amount: 900}, {DealID: "b", Won: true, Amount: 500}},
				Awards: []achievement.Award{{Kind: achievement.LargestDeal, Key: "b"}}}},
		{name: "a target reached is the quota club", rules: all,
			rep:    achievement.Rep{Quotas: []achievement.Quota{{Period: "2026-04", Metric: "revenue", Value: 100, Target: 100}}},
			earned: []string{"quota_club 2026-04/revenue"}},
		{name: "a target of 0 is no quota club", rules: all,
			rep: achievement.Rep{Quotas: []achievement.Quota{{Period: "2026-04", Metric: "deals", Value: 100, Target: 0}}}},
		{name: "falling under the target revokes it", rules: all,
			rep: achievement.Rep{Quotas: []achievement.Quota{{Period: "2026-04", Metric: "revenue", Value: 99, Target: 100}},
				Awards: []achievement.Award{{Kind: achievement.QuotaClub, Key: "2026-04/revenue"}}},
			revoked: []string{"quota_club 2026-04/revenue"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.rep.RepID = "r-1"
			if c.rep.Wins == nil {
				c.rep.Wins = map[time.Time]int{}
			}
			if c.rep.Changed == nil { // unless the case says: the batch won or reversed one deal on each day
				c.rep.Changed = map[time.Time]int{}
				for _, day := range c.rep.Days {
					c.rep.Changed[day] = -1
					if c.rep.Wins[day] > 0 {
						c.rep.Changed[day] = 1
					}
				}
			}
			out := achievement.Decide(achievement.Input{Rules: c.rules, Calendar: calendar(t, c.holidays...), Reps: []achievement.Rep{c.rep}})
			earned, revoked := keysOf(out)
			if !slices.Equal(earned, c.earned) || !slices.Equal(revoked, c.revoked) {
				t.Fatalf("earned %q, revoked %q; want %q, %q", earned, revoked, c.earned, c.revoked)
			}
			for _, e := range out.Earned {
				if e.Points != c.rules.Of(e.Kind).Points || e.Note == "" || e.RepID != "r-1" {
					t.Errorf("earned %+v: want the rule's points, a note and the rep", e)
				}
			}
			for _, r := range out.Revoked {
				if r.Note == "" {
					t.Errorf("revoked %+v without a note", r)
				}
			}
		})
	}
}

func TestDayFlipped(t *testing.T) {
	cases := []struct {
		wins, changed int
		flipped       bool
	}{
		{wins: 1, changed: 1, flipped: true},   // its first win
		{wins: 2, changed: 1, flipped: false},  // its second
		{wins: 3, changed: 3, flipped: true},   // counted up to 3: it may have had none
		{wins: 3, changed: 2, flipped: false},  // at least one before
		{wins: 0, changed: -1, flipped: true},  // its last win reversed
		{wins: 1, changed: -1, flipped: false}, // one left
		{wins: 0, changed: 0, flipped: false},  // a deal updated on a day without wins
		{wins: 2, changed: 0, flipped: false},  // an amount changed
	}
	for _, c := range cases {
		if got := achievement.DayFlipped(c.wins, c.changed); got != c.flipped {
			t.Errorf("DayFlipped(%d, %d) = %v, want %v", c.wins, c.changed, got, c.flipped)
		}
	}
}

func TestWindowReachesTwoStreaksEitherSide(t *testing.T) {
	cal := calendar(t)
	r := achievement.Rules{Streak: achievement.StreakRule{Rule: achievement.Rule{Enabled: true}, Days: 2}}
	// Mon 2026-04-13: 4 selling days back is Tue 7th, forward Fri 17th.
	from, to := achievement.Window(r, cal, dates("2026-04-13"))
	if from != date("2026-04-07") || to != date("2026-04-17") {
		t.Fatalf("window %s..%s", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	from, to = achievement.Window(achievement.Rules{}, cal, dates("2026-04-13", "2026-04-11"))
	if from != date("2026-04-11") || to != date("2026-04-13") {
		t.Fatalf("without a streak: %s..%s", from, to)
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		body, field string
	}{
		{`{"first_win": {"enabled": true, "points": 10}, "streak": {"enabled": true, "days": 5}}`, "-"},
		{`{}`, "-"},
		{`{"first_win": {"enabled": true, "points": -1}}`, "first_win.points"},
		{`{"hat_trick": {"enabled": true, "points": 1000001}}`, "hat_trick.points"},
		{`{"streak": {"enabled": true}}`, "streak.days"},
		{`{"streak": {"enabled": true, "days": 61}}`, "streak.days"},
		{`{"streak": {"enabled": false, "days": 1}}`, "streak.days"},
		{`{"quota_club": {"enabled": "yes"}}`, "quota_club.enabled"},
		{`{"largest_deal": {"points": 1.5}}`, "largest_deal.points"},
		{`{"best_period": {"enabled": true, "points": 30, "period": "month"}}`, "-"},
		{`{"best_period": {"enabled": true, "points": 30}}`, "best_period.period"},
		{`{"best_period": {"enabled": false, "period": "quarter"}}`, "best_period.period"},
		{`{"best_period": {"enabled": true, "period": 7}}`, "best_period.period"},
		{`{"best_day": {}}`, ""},
		{`[]`, ""},
	}
	for _, c := range cases {
		_, err := achievement.Parse([]byte(c.body))
		if c.field == "-" {
			if err != nil {
				t.Errorf("%s: %v", c.body, err)
			}
			continue
		}
		var be *bullpen.Error
		if err == nil || !errors.As(err, &be) || be.Field != c.field || be.Code != bullpen.EInvalid {
			t.Errorf("%s: %v; want invalid_argument naming %q", c.body, err, c.field)
		}
	}
}

func TestTitle(t *testing.T) {
	if got := achievement.Title(achievement.Streak, "2026-04-06+5"); got != "5-day streak" {
		t.Fatal(got)
	}
	if got := achievement.Title(achievement.HatTrick, "2026-04-06"); got != "Hat-trick" {
		t.Fatal(got)
	}
	if got := achievement.Title(achievement.BestPeriod, "2026-W14"); got != "Best week ever" {
		t.Fatal(got)
	}
	if got := achievement.Title(achievement.BestPeriod, "2026-04"); got != "Best month ever" {
		t.Fatal(got)
	}
}
