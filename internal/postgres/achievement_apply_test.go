package postgres_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/pace"
	"bullpen/internal/postgres"
)

func mustRules(t *testing.T, db *postgres.DB, r achievement.Rules) {
	t.Helper()
	if err := db.PutAchievementRules(context.Background(), r, "test"); err != nil {
		t.Fatal(err)
	}
}

func winAt(eventID, rep, deal string, at string, amount bullpen.Fixed) event.Event {
	e := wonDeal(eventID, rep, deal)
	e.OccurredAt, _ = time.Parse(time.RFC3339, at)
	e.Amount = amount
	return e
}

// badgesOf lists a rep's badges by kind and occurrence, "-" marking a revoked one.
func badgesOf(t *testing.T, db *postgres.DB, rep string) string {
	t.Helper()
	awards, err := db.RepAchievements(context.Background(), rep)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(awards) - 1; i >= 0; i-- { // oldest first
		a := awards[i]
		s := string(a.Kind) + " " + a.Key
		if !a.Active() {
			s += "-"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// queuedAchievements lists the achievement messages waiting in the outbox as "channel kind key"
// with " revoked" when they say so.
func queuedAchievements(t *testing.T, db *postgres.DB) []string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT channel, data FROM outbox WHERE type = 'achievement' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var channel string
		var b achievement.Badge
		var raw []byte
		if err := rows.Scan(&channel, &raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		s := channel + " " + string(b.Kind) + " " + b.Key
		if b.Revoked {
			s += " revoked: " + b.RevokedReason
		}
		if channel == "floor" && (b.Points != nil || b.Balance != nil) {
			t.Errorf("the floor's badge carries points: %s", raw)
		}
		out = append(out, s)
	}
	return out
}

func TestBadgesAreAwardedOnceHoweverOftenABatchIsDelivered(t *testing.T) {
	db := mustDB(t)
	mustRules(t, db, achievement.Rules{FirstWin: achievement.Rule{Enabled: true, Points: 5},
		HatTrick: achievement.Rule{Enabled: true, Points: 100}, LargestDeal: achievement.Rule{Enabled: true, Points: 20}})
	// Monday 6 April 2026: three wins, the third the largest; then the same events again.
	batch := []event.Event{winAt("e1", "ana", "D1", "2026-04-06T09:00:00Z", 1000), winAt("e2", "ana", "D2", "2026-04-06T10:00:00Z", 500),
		winAt("e3", "ana", "D3", "2026-04-06T11:00:00Z", 5000)}
	balances := mustApply(t, db, batch...)
	mustApply(t, db, batch...)
	mustApply(t, db, batch[2], batch[0])
	if got, want := badgesOf(t, db, "ana"), "first_win 2026-04-06, hat_trick 2026-04-06, largest_deal D3"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	if got, want := ledgerOf(t, db, "ana"), "achievement 5, achievement 100, achievement 20"; got != want {
		t.Fatalf("ledger %q, want %q", got, want)
	}
	if balances["ana"].Points != 125 {
		t.Fatalf("balance %+v, want 125", balances["ana"])
	}
	// A fourth win the same day earns nothing more; a win the next day a new first win.
	mustApply(t, db, winAt("e4", "ana", "D4", "2026-04-06T12:00:00Z", 100), winAt("e5", "ana", "D5", "2026-04-07T09:00:00Z", 100))
	if got, want := badgesOf(t, db, "ana"), "first_win 2026-04-06, hat_trick 2026-04-06, largest_deal D3, first_win 2026-04-07"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	got := queuedAchievements(t, db)
	if len(got) != 8 || got[0] != "rep:ana first_win 2026-04-06" || got[1] != "floor first_win 2026-04-06" {
		t.Fatalf("messages %q: want a rep's and a floor's for each of 4 badges", got)
	}
}

func TestAReversalThatBreaksABadgeRevokesItWithANoteAndTakesItsPointsBack(t *testing.T) {
	db := mustDB(t)
	mustRules(t, db, achievement.Rules{HatTrick: achievement.Rule{Enabled: true, Points: 100}, LargestDeal: achievement.Rule{Enabled: true, Points: 20}})
	mustApply(t, db, winAt("e1", "bo", "D1", "2026-04-06T09:00:00Z", 1000), winAt("e2", "bo", "D2", "2026-04-06T10:00:00Z", 500),
		winAt("e3", "bo", "D3", "2026-04-06T11:00:00Z", 5000))
	balances := mustApply(t, db, reversedDeal("r1", "bo", "D3"))
	if got, want := badgesOf(t, db, "bo"), "hat_trick 2026-04-06-, largest_deal D3-"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	if got, want := ledgerOf(t, db, "bo"), "achievement 100, achievement 20, achievement -100, achievement -20"; got != want {
		t.Fatalf("ledger %q, want %q", got, want)
	}
	if balances["bo"].Points != 0 {
		t.Fatalf("balance %+v, want 0", balances["bo"])
	}
	msgs := strings.Join(queuedAchievements(t, db), "\n")
	for _, want := range []string{"rep:bo hat_trick 2026-04-06 revoked: Revoked: 2 wins left on 2026-04-06 after a reversal",
		"floor largest_deal D3 revoked: Revoked: deal D3 was reversed"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("messages\n%s\nwant %q", msgs, want)
		}
	}
	// The third win again (a new deal) earns the hat-trick anew, once; a redelivered reversal changes nothing.
	mustApply(t, db, winAt("e4", "bo", "D4", "2026-04-06T15:00:00Z", 10), reversedDeal("r1", "bo", "D3"))
	if got, want := badgesOf(t, db, "bo"), "largest_deal D3-, hat_trick 2026-04-06"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	if got, want := ledgerOf(t, db, "bo"), "achievement 100, achievement 20, achievement -100, achievement -20, achievement 100"; got != want {
		t.Fatalf("ledger %q, want %q", got, want)
	}
}

func TestDaysAreLocalAndStreaksCountSellingDays(t *testing.T) {
	db := mustDB(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// Tuesday 7 April 2026 is a holiday.
	cal, err := pace.NewCalendar(ny, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, []string{"2026-04-07"})
	if err != nil {
		t.Fatal(err)
	}
	db.Calendar = &cal
	mustRules(t, db, achievement.Rules{FirstWin: achievement.Rule{Enabled: true},
		Streak: achievement.StreakRule{Rule: achievement.Rule{Enabled: true, Points: 50}, Days: 3}})
	// Friday 3rd late evening in New York is Saturday in UTC; then Monday 6th, Wednesday 8th.
	mustApply(t, db, winAt("e1", "cy", "D1", "2026-04-04T01:30:00Z", 100))
	mustApply(t, db, winAt("e2", "cy", "D2", "2026-04-06T15:00:00Z", 100))
	if got, want := badgesOf(t, db, "cy"), "first_win 2026-04-03, first_win 2026-04-06"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	mustApply(t, db, winAt("e3", "cy", "D3", "2026-04-08T15:00:00Z", 100))
	if got, want := badgesOf(t, db, "cy"), "first_win 2026-04-03, first_win 2026-04-06, first_win 2026-04-08, streak 2026-04-03+3"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	if got, want := ledgerOf(t, db, "cy"), "achievement 50"; got != want {
		t.Fatalf("ledger %q, want %q", got, want)
	}
	// Reversing Monday's win breaks the streak.
	mustApply(t, db, reversedDeal("r2", "cy", "D2"))
	if got, want := badgesOf(t, db, "cy"), "first_win 2026-04-03, first_win 2026-04-06-, first_win 2026-04-08, streak 2026-04-03+3-"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
}

func TestNoRuleNoBadge(t *testing.T) {
	db := mustDB(t)
	mustApply(t, db, winAt("e1", "dee", "D1", "2026-04-06T09:00:00Z", 100))
	if got := badgesOf(t, db, "dee"); got != "" {
		t.Fatalf("badges %q without rules", got)
	}
}

func TestADealReversedAndWonByAnotherRepInOneBatchJudgesBothReps(t *testing.T) {
	db := mustDB(t)
	mustRules(t, db, achievement.Rules{FirstWin: achievement.Rule{Enabled: true, Points: 5},
		LargestDeal: achievement.Rule{Enabled: true, Points: 20}})
	mustApply(t, db, winAt("e1", "ana", "D0", "2026-04-06T08:00:00Z", 100), winAt("e2", "ana", "D1", "2026-04-06T09:00:00Z", 1000))
	if got, want := badgesOf(t, db, "ana"), "first_win 2026-04-06, largest_deal D1"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	// D1 is taken from ana and won by cy on the same day, in one batch; D0 stays ana's.
	mustApply(t, db, reversedDeal("r1", "ana", "D1"), winAt("e3", "cy", "D1", "2026-04-06T10:00:00Z", 1000),
		reversedDeal("r2", "ana", "D0"))
	if got, want := badgesOf(t, db, "ana"), "first_win 2026-04-06-, largest_deal D1-"; got != want {
		t.Fatalf("ana's badges %q, want %q: the day and the deal she no longer has", got, want)
	}
	if got, want := badgesOf(t, db, "cy"), "first_win 2026-04-06"; got != want {
		t.Fatalf("cy's badges %q, want %q", got, want)
	}
	if got, want := ledgerOf(t, db, "ana"), "achievement 5, achievement 20, achievement -5, achievement -20"; got != want {
		t.Fatalf("ana's ledger %q, want %q", got, want)
	}
}
