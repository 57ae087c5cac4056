package contest_test

import (
	"testing"
	"time"

	"bullpen/internal/contest"
)

func TestFinishedAtIsWhenTheScoreReachedTheTargetForGood(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	cases := []struct {
		name  string
		steps []contest.Step
		want  *time.Time
	}{
		{"never", []contest.Step{{at(0), 500}}, nil},
		{"exactly at the target", []contest.Step{{at(0), 500}, {at(5), 500}}, ptr(at(5))},
		{"dropped below and came back", []contest.Step{{at(0), 1200}, {at(5), -400}, {at(9), 300}}, ptr(at(9))},
		{"dropped below for good", []contest.Step{{at(0), 1200}, {at(5), -400}}, nil},
	}
	for _, tc := range cases {
		got := contest.FinishedAt(tc.steps, 1000)
		if (got == nil) != (tc.want == nil) || (got != nil && !got.Equal(*tc.want)) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestARaceEndsWhenItsLastWinnerFinishes(t *testing.T) {
	c := contest.Contest{Kind: contest.KindRace, MaxWinners: 2}
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	if c.RaceEnd([]time.Time{t0}) != nil {
		t.Fatal("one finisher ended a two-winner race")
	}
	end := c.RaceEnd([]time.Time{t0, t0.Add(time.Minute)})
	c.StartsAt, c.RaceEndedAt = t0.Add(-time.Hour), end
	if end == nil || !c.InWindow(t0.Add(time.Minute)) || c.InWindow(t0.Add(2*time.Minute)) {
		t.Fatalf("end %v must keep the last winner's finishing event inside the window", end)
	}
}

func ptr(t time.Time) *time.Time { return &t }
