package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/pace"
	"bullpen/internal/postgres"
)

func bestMonth(points int64) achievement.Rules {
	return achievement.Rules{BestPeriod: achievement.PeriodRule{Rule: achievement.Rule{Enabled: true, Points: points}, Period: achievement.Month}}
}

func inNewYork(t *testing.T, db *postgres.DB) {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := pace.NewCalendar(ny, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Calendar = &cal
}

func updatedDeal(eventID, rep, deal string, amount bullpen.Fixed) event.Event {
	now := time.Now()
	return event.Event{EventID: eventID, Type: event.DealUpdated, OccurredAt: now, ArrivedAt: now, RepID: rep, DealID: deal,
		Amount: amount, HasAmount: true}
}

// mustHold checks a rep's badges (badgesOf), ledger (ledgerOf) and the balance a batch returned.
func mustHold(t *testing.T, db *postgres.DB, rep, badges, ledger string, balance int64, balances map[string]bullpen.Balance) {
	t.Helper()
	if got := badgesOf(t, db, rep); got != badges {
		t.Fatalf("badges %q, want %q", got, badges)
	}
	if got := ledgerOf(t, db, rep); got != ledger {
		t.Fatalf("ledger %q, want %q", got, ledger)
	}
	if got := balances[rep].Points; got != balance {
		t.Fatalf("balance %d, want %d", got, balance)
	}
}

func TestABestMonthIsAwardedOnceInTheLocalMonthAndRevokedWhenItFallsBack(t *testing.T) {
	db := mustDB(t)
	inNewYork(t, db)
	mustRules(t, db, bestMonth(30))
	// March in New York: 1,000.00 on the 10th and 200.00 late on the 31st (1 April in UTC).
	// The first month with revenue is no personal best.
	mustApply(t, db, winAt("e1", "eve", "M1", "2026-03-10T15:00:00Z", 100000), winAt("e2", "eve", "M2", "2026-04-01T03:30:00Z", 20000))
	// April: 600 + 550 = 1,150.00, under March's 1,200.00 (in UTC, March would be 1,000.00).
	mustApply(t, db, winAt("e3", "eve", "A1", "2026-04-06T15:00:00Z", 60000), winAt("e4", "eve", "A2", "2026-04-07T15:00:00Z", 55000))
	if got := badgesOf(t, db, "eve"); got != "" {
		t.Fatalf("badges %q: want none, April is under March in New York", got)
	}
	// 100.00 more passes it: awarded once, however often the batch comes again.
	pass := winAt("e5", "eve", "A3", "2026-04-08T15:00:00Z", 10000)
	balances := mustApply(t, db, pass)
	mustApply(t, db, pass)
	mustApply(t, db, winAt("e6", "eve", "A4", "2026-04-09T15:00:00Z", 10000), pass)
	mustHold(t, db, "eve", "best_period 2026-04", "achievement 30", 30, balances)
	awards, err := db.RepAchievements(context.Background(), "eve")
	if err != nil {
		t.Fatal(err)
	}
	if a := awards[0]; a.Note != "1250 won in 2026-04, more than in any month before (best: 1200 in 2026-03)" || achievement.Title(a.Kind, a.Key) != "Best month ever" {
		t.Fatalf("badge %+v", a)
	}
	// April at 1,350.00: a reversal of 550.00 brings it under March's 1,200.00.
	balances = mustApply(t, db, reversedDeal("r1", "eve", "A2"))
	mustHold(t, db, "eve", "best_period 2026-04-", "achievement 30, achievement -30", 0, balances)
	msgs := strings.Join(queuedAchievements(t, db), "\n")
	if want := "rep:eve best_period 2026-04 revoked: Revoked: 2026-04 fell to 800, not above 1200 in 2026-03"; !strings.Contains(msgs, want) {
		t.Fatalf("messages\n%s\nwant %q", msgs, want)
	}
	// Passed again (A1 raised to 1,100.00: 1,300.00), earned again; A1 at 1,000.00 ties March and revokes it.
	balances = mustApply(t, db, updatedDeal("u1", "eve", "A1", 110000), reversedDeal("r1", "eve", "A2"))
	mustHold(t, db, "eve", "best_period 2026-04", "achievement 30, achievement -30, achievement 30", 30, balances)
	balances = mustApply(t, db, updatedDeal("u2", "eve", "A1", 100000))
	mustHold(t, db, "eve", "best_period 2026-04-", "achievement 30, achievement -30, achievement 30, achievement -30", 0, balances)
}

func TestABestWeekIsKeyedByItsISOWeekAndComparedWithEveryEarlierWeek(t *testing.T) {
	db := mustDB(t)
	inNewYork(t, db)
	mustRules(t, db, achievement.Rules{BestPeriod: achievement.PeriodRule{Rule: achievement.Rule{Enabled: true}, Period: achievement.Week}})
	// Weeks of 2 February 550, of 2 March 500, of 9 March 100, of 16 March nothing, of 23 March
	// 300; then the week of 30 March (Sunday 5 April evening in New York is Monday in UTC): 400,
	// 520 (above the 4 weeks before it, not above February's), then 600.
	mustApply(t, db, winAt("e0", "fay", "D0", "2026-02-03T15:00:00Z", 55000), winAt("e1", "fay", "D1", "2026-03-03T15:00:00Z", 50000),
		winAt("e2", "fay", "D2", "2026-03-10T15:00:00Z", 10000), winAt("e3", "fay", "D3", "2026-03-24T15:00:00Z", 30000))
	mustApply(t, db, winAt("e4", "fay", "D4", "2026-04-06T02:00:00Z", 40000))
	mustApply(t, db, winAt("e5", "fay", "D5", "2026-04-06T03:00:00Z", 12000))
	if got := badgesOf(t, db, "fay"); got != "" {
		t.Fatalf("badges %q: the week of 30 March at 520 is under the week of 2 February", got)
	}
	mustApply(t, db, winAt("e6", "fay", "D6", "2026-04-06T03:30:00Z", 8000))
	awards, err := db.RepAchievements(context.Background(), "fay")
	if err != nil {
		t.Fatal(err)
	}
	if len(awards) != 1 || awards[0].Key != "2026-W14" || awards[0].Note != "600 won in 2026-W14, more than in any week before (best: 550 in 2026-W06)" {
		t.Fatalf("badges %+v, want the week of 30 March's, past February's", awards)
	}
	if got := ledgerOf(t, db, "fay"); got != "" {
		t.Fatalf("ledger %q: a rule of 0 points pays nothing", got)
	}
}

func TestTwoConsumersPassingABestMonthTogetherAwardItOnce(t *testing.T) {
	db := mustDB(t)
	mustRules(t, db, bestMonth(30))
	ctx := context.Background()
	const reps = 8
	for i := range reps {
		rep := fmt.Sprintf("rep%d", i)
		mustApply(t, db, winAt("m-"+rep, rep, "M-"+rep, "2026-03-10T15:00:00Z", 100000))
	}
	// Each rep's two April wins arrive at once in two batches: neither alone passes March.
	var wg sync.WaitGroup
	errs := make([]error, 2*reps)
	for i := range reps {
		rep := fmt.Sprintf("rep%d", i)
		for j := range 2 {
			wg.Go(func() {
				ev := winAt(fmt.Sprintf("a%d-%s", j, rep), rep, fmt.Sprintf("A%d-%s", j, rep), "2026-04-06T15:00:00Z", 60000)
				_, errs[2*i+j] = db.ApplyBatch(ctx, []event.Event{ev}, []string{"test"})
			})
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range reps {
		rep := fmt.Sprintf("rep%d", i)
		if got, want := badgesOf(t, db, rep), "best_period 2026-04"; got != want {
			t.Errorf("%s: badges %q, want %q", rep, got, want)
		}
		if got, want := ledgerOf(t, db, rep), "achievement 30"; got != want {
			t.Errorf("%s: ledger %q, want %q", rep, got, want)
		}
	}
}
