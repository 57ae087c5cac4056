package standings_test

import (
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/pace"
	"bullpen/internal/standings"
)

// A monthly contest in New York, with a Monday-to-Friday calendar built in UTC (the server's
// BULLPEN_TIMEZONE) that the board reads in the contest's zone.
func paceContest(t *testing.T, kind string) (*contest.Contest, pace.Calendar, *time.Location) {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := pace.NewCalendar(time.UTC, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, nil)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 12, 31, 0, 0, 0, 0, ny)
	k := &contest.Contest{ID: "c", Kind: kind, Metric: contest.MetricRevenue, Scope: contest.ScopeRep, Timezone: "America/New_York",
		Period: contest.PeriodMonth, StartsAt: time.Date(2026, 3, 1, 0, 0, 0, 0, ny), EndsAt: &end}
	return k, cal, ny
}

// board is rows at positions from, from+1, … with these scores (hundredths).
func board(from int64, scores ...bullpen.Fixed) []standings.Row {
	rows := make([]standings.Row, len(scores))
	for i, s := range scores {
		rows[i] = standings.Row{Position: from + int64(i), Entrant: string(rune('a' + int(from) + i)), Score: s}
	}
	return rows
}

func TestPaceProjectsEveryEntryInTheContestsSellingTime(t *testing.T) {
	k, cal, ny := paceContest(t, contest.KindLeaderboard)
	// Wed Mar 11 2026 12:00 EDT. March in New York, Monday to Friday: 2–6, 9–13, 16–20, 23–27,
	// 30–31 = 22 days; passed: 2–6, 9, 10 and half of the 11th = 7.5. Factor 22 ÷ 7.5 = 44/15.
	// (Counted in UTC it would be 7 + 16/24, the 11th being 16 hours old there.)
	now := time.Date(2026, 3, 11, 12, 0, 0, 0, ny)
	rows := board(0, 150000, 150000, 10001, 0, -1000)
	st := standings.Build(k, k.PeriodAt(now), now, rows, 5, nil)
	standings.AddPace(st, k, cal, now)
	if st.Pace == nil || st.Pace.ElapsedDays != 7.5 || st.Pace.TotalDays != 22 {
		t.Fatalf("pace %+v, want 7.5 of 22 days", st.Pace)
	}
	// 1,500 × 44/15 = 4,400 (twice: the tie stays a tie, in board order); 100.01 × 44/15 =
	// 293.3626… → 293.36; 0 stays 0; −10 (a reversal) × 44/15 = −29.333… → −29.33.
	want := []struct {
		projected bullpen.Fixed
		paceRank  int64
	}{{440000, 1}, {440000, 2}, {29336, 3}, {0, 4}, {-2933, 5}}
	for i, e := range st.Entries {
		if e.Projected == nil || *e.Projected != want[i].projected || e.PaceRank != want[i].paceRank {
			t.Errorf("rank %d: projected %v, pace rank %d; want %s, #%d", e.Rank, e.Projected, e.PaceRank, want[i].projected, want[i].paceRank)
		}
	}
}

func TestPaceRanksAPageFromItsFirstRank(t *testing.T) {
	k, cal, ny := paceContest(t, contest.KindLeaderboard)
	now := time.Date(2026, 3, 11, 12, 0, 0, 0, ny)
	st := standings.Build(k, k.PeriodAt(now), now, board(2, 10001, 0), 5, nil)
	standings.AddPace(st, k, cal, now)
	if st.Entries[0].PaceRank != 3 || st.Entries[1].PaceRank != 4 {
		t.Fatalf("pace ranks %d, %d; want 3, 4 (ranks 3 and 4 of the board)", st.Entries[0].PaceRank, st.Entries[1].PaceRank)
	}
}

func TestNoPaceWithoutALiveBoardThatEnds(t *testing.T) {
	during := time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC)
	cases := map[string]func(k *contest.Contest) (contest.Period, time.Time){
		"a race": func(k *contest.Contest) (contest.Period, time.Time) {
			k.Kind, k.Period = contest.KindRace, contest.PeriodNone
			return k.PeriodAt(during), during
		},
		"no end": func(k *contest.Contest) (contest.Period, time.Time) {
			k.Period, k.EndsAt = contest.PeriodNone, nil
			return k.PeriodAt(during), during
		},
		"a past period": func(k *contest.Contest) (contest.Period, time.Time) {
			return k.PeriodAt(during), during.AddDate(0, 1, 0)
		},
		"scheduled": func(k *contest.Contest) (contest.Period, time.Time) {
			return k.PeriodAt(k.StartsAt), k.StartsAt.Add(-time.Hour)
		},
		"ended early": func(k *contest.Contest) (contest.Period, time.Time) {
			ended := during.Add(-time.Hour)
			k.EndedAt = &ended
			return k.PeriodAt(during), during
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			k, cal, _ := paceContest(t, contest.KindLeaderboard)
			p, now := setup(k)
			st := standings.Build(k, p, now, board(0, 500, 100), 2, nil)
			standings.AddPace(st, k, cal, now)
			if st.Pace != nil || st.Entries[0].Projected != nil || st.Entries[0].PaceRank != 0 {
				t.Fatalf("pace %+v, entry %+v: want none", st.Pace, st.Entries[0])
			}
		})
	}
}
