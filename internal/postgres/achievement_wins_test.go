package postgres_test

import (
	"context"
	"testing"

	"bullpen/internal/achievement"
	"bullpen/internal/event"
	"bullpen/internal/postgres"
)

// noteOf is the note of a rep's badge of kind k and occurrence key, or of its revocation.
func noteOf(t *testing.T, db *postgres.DB, rep string, k achievement.Kind, key string) string {
	t.Helper()
	awards, err := db.RepAchievements(context.Background(), rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range awards {
		if a.Kind == k && a.Key == key {
			if !a.Active() {
				return a.RevokedReason
			}
			return a.Note
		}
	}
	t.Fatalf("%s has no %s %s", rep, k, key)
	return ""
}

func TestAHatTrickOfManyWinsAtOnceCountsThemAllAndAStandingOneIsRevokedUnderThree(t *testing.T) {
	db := mustDB(t)
	mustRules(t, db, achievement.Rules{HatTrick: achievement.Rule{Enabled: true, Points: 100}})
	var wins []event.Event
	for i, id := range []string{"D1", "D2", "D3", "D4", "D5"} {
		wins = append(wins, winAt("e"+id, "eve", id, "2026-04-06T1"+string(rune('0'+i))+":00:00Z", 100))
	}
	mustApply(t, db, wins...)
	if got, want := noteOf(t, db, "eve", achievement.HatTrick, "2026-04-06"), "5 wins on 2026-04-06"; got != want {
		t.Fatalf("note %q, want %q", got, want)
	}
	// Two more, then four reversals: 3 wins left, the hat-trick stands; one more, 2 left: revoked.
	mustApply(t, db, winAt("e6", "eve", "D6", "2026-04-06T16:00:00Z", 100), winAt("e7", "eve", "D7", "2026-04-06T17:00:00Z", 100))
	mustApply(t, db, reversedDeal("r1", "eve", "D1"), reversedDeal("r2", "eve", "D2"), reversedDeal("r3", "eve", "D3"), reversedDeal("r4", "eve", "D4"))
	if got, want := badgesOf(t, db, "eve"), "hat_trick 2026-04-06"; got != want {
		t.Fatalf("with 3 wins left: badges %q, want %q", got, want)
	}
	mustApply(t, db, reversedDeal("r5", "eve", "D5"))
	if got, want := noteOf(t, db, "eve", achievement.HatTrick, "2026-04-06"), "Revoked: 2 wins left on 2026-04-06 after a reversal"; got != want {
		t.Fatalf("revocation %q, want %q", got, want)
	}
	if got, want := ledgerOf(t, db, "eve"), "achievement 100, achievement -100"; got != want {
		t.Fatalf("ledger %q, want %q", got, want)
	}
}

func TestAStreakCompletedByTwoDaysOfOneBatchReadsTheDaysBeforeBetweenAndAfterThem(t *testing.T) {
	db := mustDB(t)
	mustRules(t, db, achievement.Rules{Streak: achievement.StreakRule{Rule: achievement.Rule{Enabled: true, Points: 50}, Days: 5}})
	// Monday 6, Wednesday 8 and Friday 10 April 2026 first; then Tuesday and Thursday at once.
	mustApply(t, db, winAt("e1", "fay", "D1", "2026-04-06T09:00:00Z", 100))
	mustApply(t, db, winAt("e3", "fay", "D3", "2026-04-08T09:00:00Z", 100))
	mustApply(t, db, winAt("e5", "fay", "D5", "2026-04-10T09:00:00Z", 100))
	if got := badgesOf(t, db, "fay"); got != "" {
		t.Fatalf("badges %q before the streak", got)
	}
	mustApply(t, db, winAt("e2", "fay", "D2", "2026-04-07T09:00:00Z", 100), winAt("e4", "fay", "D4", "2026-04-09T09:00:00Z", 100))
	if got, want := badgesOf(t, db, "fay"), "streak 2026-04-06+5"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	// Reversing Wednesday's win, a day the batch did not otherwise touch, breaks it.
	mustApply(t, db, reversedDeal("r3", "fay", "D3"))
	if got, want := badgesOf(t, db, "fay"), "streak 2026-04-06+5-"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
}
