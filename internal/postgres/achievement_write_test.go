package postgres_test

import (
	"slices"
	"testing"

	"bullpen/internal/achievement"
)

func TestOneBatchAwardsRevokesAndAwardsAnewForSeveralRepsEachOnce(t *testing.T) {
	db := mustDB(t)
	mustRules(t, db, achievement.Rules{FirstWin: achievement.Rule{Enabled: true, Points: 5}, LargestDeal: achievement.Rule{Enabled: true, Points: 20}})
	mustApply(t, db, winAt("h1", "hal", "H1", "2026-04-06T09:00:00Z", 100),
		winAt("i1", "ida", "I1", "2026-04-06T09:00:00Z", 100), winAt("i2", "ida", "I2", "2026-04-07T09:00:00Z", 500))
	mustApply(t, db, reversedDeal("i3", "ida", "I1"))
	// One batch: gus's first win and personal best, hal's only win reversed, ida's day won again.
	batch := mustApply(t, db, winAt("g1", "gus", "G1", "2026-04-06T09:00:00Z", 100), winAt("g2", "gus", "G2", "2026-04-06T10:00:00Z", 200),
		reversedDeal("h2", "hal", "H1"), winAt("i4", "ida", "I4", "2026-04-06T12:00:00Z", 100))
	for rep, want := range map[string]struct{ badges, ledger string }{
		"gus": {"first_win 2026-04-06, largest_deal G2", "achievement 5, achievement 20"},
		"hal": {"first_win 2026-04-06-", "achievement 5, achievement -5"},
		"ida": {"first_win 2026-04-07, largest_deal I2, first_win 2026-04-06", "achievement 5, achievement 5, achievement 20, achievement -5, achievement 5"},
	} {
		if got := badgesOf(t, db, rep); got != want.badges {
			t.Errorf("%s: badges %q, want %q", rep, got, want.badges)
		}
		if got := ledgerOf(t, db, rep); got != want.ledger {
			t.Errorf("%s: ledger %q, want %q", rep, got, want.ledger)
		}
	}
	if batch["gus"].Points != 25 || batch["hal"].Points != 0 || batch["ida"].Points != 30 {
		t.Errorf("balances %+v, want gus 25, hal 0, ida 30", batch)
	}
	// The batch's messages follow Decide: its awards rep by rep, then its revocations.
	msgs := queuedAchievements(t, db)
	want := []string{"rep:gus first_win 2026-04-06", "floor first_win 2026-04-06", "rep:gus largest_deal G2", "floor largest_deal G2",
		"rep:ida first_win 2026-04-06", "floor first_win 2026-04-06",
		"rep:hal first_win 2026-04-06 revoked: Revoked: no win left on 2026-04-06 after a reversal",
		"floor first_win 2026-04-06 revoked: Revoked: no win left on 2026-04-06 after a reversal"}
	if len(msgs) < len(want) || !slices.Equal(msgs[len(msgs)-len(want):], want) {
		t.Errorf("messages %q, want them to end with %q", msgs, want)
	}
}
