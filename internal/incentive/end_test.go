package incentive_test

import (
	"errors"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/incentive"
)

func TestEnd(t *testing.T) {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Minute)
	for _, tc := range []struct {
		name     string
		inc      incentive.Incentive
		conflict bool
	}{
		{"an open incentive closes now", incentive.Incentive{StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}, false},
		{"a scheduled incentive closes now", incentive.Incentive{StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)}, false},
		{"one past its end is already closed", incentive.Incentive{StartsAt: now.Add(-2 * time.Hour), EndsAt: now}, true},
		{"one ended early is already closed", incentive.Incentive{StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), EndedAt: &earlier}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := tc.inc
			before := i.EndedAt
			err := i.End(now)
			if tc.conflict {
				var be *bullpen.Error
				if !errors.As(err, &be) || be.Code != bullpen.EConflict {
					t.Fatalf("err %v, want a conflict", err)
				}
				if i.EndedAt != before {
					t.Fatal("ended_at moved on a conflict")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if i.EndedAt == nil || !i.EndedAt.Equal(now) || i.StatusAt(now) != incentive.StatusClosed {
				t.Fatalf("ended_at %v, status %s", i.EndedAt, i.StatusAt(now))
			}
		})
	}
}
