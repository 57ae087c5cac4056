package contest_test

import (
	"errors"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

var changeNow = time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)

// stored is a normalized revenue leaderboard in the given state at changeNow.
func stored(t *testing.T, state string) *contest.Contest {
	t.Helper()
	start, end := changeNow.Add(-24*time.Hour), changeNow.Add(24*time.Hour)
	c := &contest.Contest{ID: "c1", Name: "Sprint", Metric: contest.MetricRevenue, StartsAt: start, EndsAt: &end,
		Timezone: "America/New_York", Prizes: []contest.Prize{{Rank: 1, Points: 500}}}
	past := changeNow.Add(-time.Hour)
	switch state {
	case contest.StatusScheduled:
		c.StartsAt = changeNow.Add(time.Hour)
	case contest.StatusLive:
	case contest.StatusEnded:
		c.EndedAt = &past
	case contest.StatusFinal:
		c.EndedAt, c.FinalizedAt = &past, &past
	case contest.StatusCancelled:
		c.CancelledAt = &past
	default:
		t.Fatalf("no state %q", state)
	}
	if err := c.Normalize(); err != nil {
		t.Fatal(err)
	}
	if got := c.StatusAt(changeNow); got != state {
		t.Fatalf("built a %s contest, want %s", got, state)
	}
	return c
}

// wantOutcome fails unless effect and err are the expected ones: an error of code (and field),
// or none when code is "".
func wantOutcome(t *testing.T, effect contest.Effect, err error, wantEffect contest.Effect, code, field string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("err %v, want none", err)
		}
	} else {
		var be *bullpen.Error
		if !errors.As(err, &be) || be.Code != code || be.Field != field {
			t.Fatalf("err %v, want code %q field %q", err, code, field)
		}
		if be.Message == "" {
			t.Fatal("an error without a message")
		}
	}
	if effect != wantEffect {
		t.Fatalf("effect %d, want %d", effect, wantEffect)
	}
}

func TestPatch(t *testing.T) {
	rename := func(c *contest.Contest) error { c.Name = "Renamed"; return nil }
	keep := func(*contest.Contest) error { return nil }
	newMetric := func(c *contest.Contest) error { c.Metric = contest.MetricDeals; return nil }
	later := func(c *contest.Contest) error { c.StartsAt = c.StartsAt.Add(time.Hour); return nil }
	badEdit := func(*contest.Contest) error { return bullpen.Invalid("prizes.0.points", "bad") }
	noName := func(c *contest.Contest) error { c.Name = " "; return nil }
	for _, tc := range []struct {
		name   string
		state  string
		edit   func(*contest.Contest) error
		effect contest.Effect
		code   string
		field  string
	}{
		{"the same contest is unchanged", contest.StatusLive, keep, contest.Unchanged, "", ""},
		{"a new name on a scheduled contest is a change", contest.StatusScheduled, rename, contest.Changed, "", ""},
		{"a new name on a live contest is a change", contest.StatusLive, rename, contest.Changed, "", ""},
		{"a new name on an ended contest is a change", contest.StatusEnded, rename, contest.Changed, "", ""},
		{"new rules on a scheduled contest recount", contest.StatusScheduled, newMetric, contest.Recount, "", ""},
		{"a new start on a scheduled contest recounts", contest.StatusScheduled, later, contest.Recount, "", ""},
		{"new rules on a live contest are a conflict naming the field", contest.StatusLive, newMetric, contest.Unchanged, bullpen.EConflict, "metric"},
		{"new rules on an ended contest are a conflict naming the field", contest.StatusEnded, later, contest.Unchanged, bullpen.EConflict, "starts_at"},
		{"a final contest takes no change", contest.StatusFinal, rename, contest.Unchanged, bullpen.EConflict, ""},
		{"a cancelled contest takes no change", contest.StatusCancelled, rename, contest.Unchanged, bullpen.EConflict, ""},
		{"a final contest is a conflict before the edit is tried", contest.StatusFinal, badEdit, contest.Unchanged, bullpen.EConflict, ""},
		{"a failing edit is its error", contest.StatusScheduled, badEdit, contest.Unchanged, bullpen.EInvalid, "prizes.0.points"},
		{"an edit that breaks a rule is invalid", contest.StatusLive, noName, contest.Unchanged, bullpen.EInvalid, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := stored(t, tc.state)
			effect, err := c.Patch(changeNow, tc.edit)
			wantOutcome(t, effect, err, tc.effect, tc.code, tc.field)
		})
	}
}

func TestEnd(t *testing.T) {
	for _, tc := range []struct {
		name   string
		state  string
		effect contest.Effect
		code   string
	}{
		{"a live contest ends now", contest.StatusLive, contest.Changed, ""},
		{"an ended contest stays as it is", contest.StatusEnded, contest.Unchanged, ""},
		{"a scheduled contest is cancelled, not ended", contest.StatusScheduled, contest.Unchanged, bullpen.EConflict},
		{"a final contest cannot end", contest.StatusFinal, contest.Unchanged, bullpen.EConflict},
		{"a cancelled contest cannot end", contest.StatusCancelled, contest.Unchanged, bullpen.EConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := stored(t, tc.state)
			before := c.EndedAt
			effect, err := c.End(changeNow)
			wantOutcome(t, effect, err, tc.effect, tc.code, "")
			switch {
			case effect == contest.Changed && (c.EndedAt == nil || !c.EndedAt.Equal(changeNow)):
				t.Fatalf("ended_at %v, want %v", c.EndedAt, changeNow)
			case effect == contest.Changed && c.StatusAt(changeNow) != contest.StatusEnded:
				t.Fatalf("status %s after ending", c.StatusAt(changeNow))
			case effect != contest.Changed && c.EndedAt != before:
				t.Fatal("ended_at moved without a change")
			}
		})
	}
}

func TestCancel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		state  string
		effect contest.Effect
		code   string
	}{
		{"a scheduled contest is cancelled", contest.StatusScheduled, contest.Changed, ""},
		{"a live contest is cancelled", contest.StatusLive, contest.Changed, ""},
		{"an ended contest in grace is cancelled", contest.StatusEnded, contest.Changed, ""},
		{"a cancelled contest stays as it is", contest.StatusCancelled, contest.Unchanged, ""},
		{"a final contest cannot be cancelled", contest.StatusFinal, contest.Unchanged, bullpen.EConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := stored(t, tc.state)
			effect, err := c.Cancel(changeNow)
			wantOutcome(t, effect, err, tc.effect, tc.code, "")
			if effect == contest.Changed && c.StatusAt(changeNow) != contest.StatusCancelled {
				t.Fatalf("status %s after cancelling", c.StatusAt(changeNow))
			}
		})
	}
}

func TestValidStatus(t *testing.T) {
	for _, s := range []string{"scheduled", "live", "ended", "final", "cancelled"} {
		if !contest.ValidStatus(s) {
			t.Errorf("%s is a status to filter by", s)
		}
	}
	for _, s := range []string{"", "open", "closed", "Live"} {
		if contest.ValidStatus(s) {
			t.Errorf("%q is not a status to filter by", s)
		}
	}
}
