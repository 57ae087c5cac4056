package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/postgres"
	"bullpen/internal/target"
	"bullpen/internal/testenv"
)

// knownSince runs fn and returns how many reps its batches judged from what was known of
// them, without reading the ledger.
func knownSince(db *postgres.DB, fn func()) int64 {
	before, _ := db.JudgedReps()
	fn()
	after, _ := db.JudgedReps()
	return after - before
}

// A consumer that knows a rep's largest deal decides a smaller win from that; when another
// consumer (one that had the partition during a rebalance) reverses that deal, the first one
// must not go on believing it: the rep's next deal is its largest now.
func TestWhatAConsumerKnowsOfARepYieldsToAnotherConsumersChange(t *testing.T) {
	url := testenv.Schema(t)
	ctx := context.Background()
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	one, other := open(), open()
	mustRules(t, one, achievement.Rules{FirstWin: achievement.Rule{Enabled: true, Points: 5},
		LargestDeal: achievement.Rule{Enabled: true, Points: 20}})
	mustApply(t, one, winAt("e1", "ana", "D1", "2026-04-06T08:00:00Z", 1000))
	if n := knownSince(one, func() { mustApply(t, one, winAt("e2", "ana", "D2", "2026-04-06T09:00:00Z", 100)) }); n != 1 {
		t.Fatalf("%d reps judged from what was known, want 1: a smaller win on a day known", n)
	}
	mustApply(t, other, reversedDeal("r1", "ana", "D1"))
	mustApply(t, one, winAt("e3", "ana", "D3", "2026-04-06T10:00:00Z", 500))
	if got, want := badgesOf(t, one, "ana"), "first_win 2026-04-06, largest_deal D3"; got != want {
		t.Fatalf("badges %q, want %q: D3 is larger than every deal ana has left", got, want)
	}
}

// Two batches of one process may judge a rep one after the other before the first has
// learnt what it decided. The second reads the rep rather than trust what is known of it
// (the first's update is still to come), and the first's update is dropped if the second
// learnt the rep anew meanwhile (it read the rep after the first had committed).
func TestABatchDoesNotTrustWhatAnotherOfTheProcessIsStillLearning(t *testing.T) {
	db := mustDB(t)
	mustRules(t, db, achievement.Rules{LargestDeal: achievement.Rule{Enabled: true, Points: 20}})
	win := func(deal string, amount bullpen.Fixed) event.Event {
		return winAt("e-"+deal, "ana", deal, "2026-04-06T09:00:00Z", amount)
	}
	between := func(ev event.Event) { // runs once, after the next batch commits and before it learns
		postgres.BeforeLearn(db, func() {
			postgres.BeforeLearn(db, nil)
			mustApply(t, db, ev)
		})
	}
	mustApply(t, db, win("D0", 100))
	// D1 is decided from what is known (the largest yet); D2 comes before that is learnt.
	between(win("D2", 120))
	mustApply(t, db, win("D1", 150))
	if got, want := badgesOf(t, db, "ana"), "largest_deal D1"; got != want {
		t.Fatalf("badges %q, want %q: 120 after 150 is no personal best", got, want)
	}
	// D3 is decided from what is known; D4, larger, is read and learnt before D3's update.
	between(win("D4", 400))
	mustApply(t, db, win("D3", 300))
	mustApply(t, db, win("D5", 350))
	if got, want := badgesOf(t, db, "ana"), "largest_deal D1, largest_deal D3, largest_deal D4"; got != want {
		t.Fatalf("badges %q, want %q: 350 after 400 is no personal best", got, want)
	}
}

// A quota club stands; a manager raises the target past the rep's attainment; the rep's next
// win moves the attainment, still under the new target: the club is judged against the
// target as it is now (and revoked), not as the consumer knew it.
func TestATargetChangedUnderAStandingQuotaClubIsJudgedAgain(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	mustRules(t, db, achievement.Rules{QuotaClub: achievement.Rule{Enabled: true, Points: 50}})
	now := time.Now().UTC() // a set takes the events that arrive before its end
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	month := start.Format("2006-01")
	setTarget := func(amount bullpen.Fixed) {
		t.Helper()
		set := target.Set{Period: month, Metric: "revenue", TeamID: "t1", Timezone: "UTC", Start: start, End: start.AddDate(0, 1, 0)}
		if _, err := db.WriteTargets(ctx, []target.Change{{Set: set, Rows: []target.Target{{Period: set.Period, Metric: set.Metric,
			TeamID: "t1", RepID: "ana", Target: amount}}}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	win := func(id string, amount bullpen.Fixed) event.Event {
		e := winAt("e-"+id, "ana", id, now.Format(time.RFC3339), amount)
		e.TeamID, e.HasTeam = "t1", true
		return e
	}
	setTarget(1000)
	mustApply(t, db, win("D1", 1200))
	if got, want := badgesOf(t, db, "ana"), "quota_club "+month+"/revenue"; got != want {
		t.Fatalf("badges %q, want %q", got, want)
	}
	if n := knownSince(db, func() { mustApply(t, db, win("D2", 100)) }); n != 1 {
		t.Fatalf("%d reps judged from what was known, want 1: a win past a quota known reached", n)
	}
	setTarget(5000)
	mustApply(t, db, win("D3", 100))
	if got, want := badgesOf(t, db, "ana"), "quota_club "+month+"/revenue-"; got != want {
		t.Fatalf("badges %q, want %q: 1,400 is under the target of 5,000 now", got, want)
	}
}

// badgeRows are every badge and every ledger row of a schema, as text to compare.
func badgeRows(t *testing.T, db *postgres.DB) []string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `
		SELECT format('badge %s %s %s points=%s revoked=%s note=%s reason=%s', rep_id, kind, occurrence, points,
			revoked_at IS NOT NULL, note, coalesce(revoked_reason, '')) FROM achievements
		UNION ALL
		SELECT format('ledger %s %s %s %s', l.rep_id, l.points, l.reason, coalesce(a.kind || ' ' || a.occurrence, ''))
		FROM ledger l LEFT JOIN achievements a ON a.id = l.achievement_id
		UNION ALL
		SELECT format('outbox %s %s', channel, type) FROM outbox WHERE type IN ('achievement', 'reward')
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// What a consumer knows of reps between batches saves reads, never a decision: the same
// batches (wins over six days in two weeks, reversals, amounts changed, deals won again by
// another rep, targets reached) judged by one consumer that keeps what it learns and by one
// that forgets it before every batch leave the same badges, ledger rows and messages.
func TestKnowingRepsBetweenBatchesChangesNoBadge(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	days := []time.Time{start.AddDate(0, 0, -6), start.AddDate(0, 0, -5), start.AddDate(0, 0, -4), start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 2)}
	reps := []string{"ana", "bo", "cy", "di", "ed", "flo", "gus", "hal"}
	rules := achievement.Rules{FirstWin: achievement.Rule{Enabled: true, Points: 5}, HatTrick: achievement.Rule{Enabled: true, Points: 50},
		Streak:      achievement.StreakRule{Rule: achievement.Rule{Enabled: true, Points: 30}, Days: 2},
		LargestDeal: achievement.Rule{Enabled: true, Points: 20}, QuotaClub: achievement.Rule{Enabled: true, Points: 100},
		BestPeriod: achievement.PeriodRule{Rule: achievement.Rule{Enabled: true, Points: 40}, Period: achievement.Week}}
	set := target.Set{Period: start.Format("2006-01"), Metric: "revenue", TeamID: "t1", Timezone: "UTC", Start: start, End: start.AddDate(0, 1, 0)}
	var targets []target.Target
	for i, rep := range reps {
		targets = append(targets, target.Target{Period: set.Period, Metric: set.Metric, TeamID: "t1", RepID: rep, Target: bullpen.Fixed(15000 + 5000*i)})
	}

	// The batches: most events new wins, on the later days more often.
	rnd := rand.New(rand.NewPCG(11, 17))
	type deal struct {
		rep string
		won bool
	}
	deals := map[string]*deal{}
	var ids []string
	var batches [][]event.Event
	n := 0
	for range 150 {
		var b []event.Event
		for range 1 + rnd.IntN(8) {
			n++
			id := fmt.Sprintf("e%04d", n)
			day := days[len(days)-1-min(len(days)-1, rnd.IntN(len(days)*3)/4)]
			at := day.Add(time.Duration(9*3600+n) * time.Second).Format(time.RFC3339)
			var e event.Event
			switch k := rnd.IntN(20); {
			case k < 14 || len(ids) == 0:
				d := fmt.Sprintf("D%04d", n)
				rep := reps[rnd.IntN(len(reps))]
				deals[d], ids = &deal{rep: rep, won: true}, append(ids, d)
				e = winAt(id, rep, d, at, bullpen.Fixed(100+rnd.IntN(2000)))
			default:
				d := ids[rnd.IntN(len(ids))]
				switch dl := deals[d]; {
				case !dl.won: // won again, most often by another rep
					dl.rep, dl.won = reps[rnd.IntN(len(reps))], true
					e = winAt(id, dl.rep, d, at, bullpen.Fixed(100+rnd.IntN(2000)))
				case k < 17:
					dl.won = false
					e = reversedDeal(id, dl.rep, d)
				default:
					e = updatedDeal(id, dl.rep, d, bullpen.Fixed(100+rnd.IntN(2000)))
				}
			}
			e.TeamID, e.HasTeam = "t1", true
			b = append(b, e)
		}
		batches = append(batches, b)
	}

	run := func(t *testing.T, rules achievement.Rules, forget bool) []string {
		db := mustDB(t)
		mustRules(t, db, rules)
		if _, err := db.WriteTargets(ctx, []target.Change{{Set: set, Rows: targets}}, "test"); err != nil {
			t.Fatal(err)
		}
		for _, b := range batches {
			if forget {
				postgres.ForgetKnown(db)
			}
			mustApply(t, db, b...)
		}
		if known, _ := db.JudgedReps(); !forget && known == 0 {
			t.Fatal("no rep was judged from what was known: the batches do not try it")
		}
		rows := badgeRows(t, db)
		if known, read := db.JudgedReps(); !forget {
			t.Logf("%d reps judged from what was known, %d read", known, read)
		}
		return rows
	}
	// every rule; and each rule alone but the first win and hat-trick (which settle most of
	// a day), so that what settles a rep is that rule's alone
	only := func(set func(*achievement.Rules)) achievement.Rules {
		var r achievement.Rules
		set(&r)
		return r
	}
	for name, rules := range map[string]achievement.Rules{
		"every rule":    rules,
		"personal best": only(func(r *achievement.Rules) { r.LargestDeal = rules.LargestDeal }),
		"quota club":    only(func(r *achievement.Rules) { r.QuotaClub = rules.QuotaClub }),
		"best week":     only(func(r *achievement.Rules) { r.BestPeriod = rules.BestPeriod }),
		"streak":        only(func(r *achievement.Rules) { r.Streak = rules.Streak }),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			knowing, forgetting := run(t, rules, false), run(t, rules, true)
			sameBadges(t, knowing, forgetting)
		})
	}
}

func sameBadges(t *testing.T, knowing, forgetting []string) {
	t.Helper()
	if !slices.Equal(knowing, forgetting) {
		for i := range max(len(knowing), len(forgetting)) {
			var a, b string
			if i < len(knowing) {
				a = knowing[i]
			}
			if i < len(forgetting) {
				b = forgetting[i]
			}
			if a != b {
				t.Errorf("row %d: knowing %q, forgetting %q", i, a, b)
			}
		}
		t.Fatalf("%d rows knowing, %d forgetting", len(knowing), len(forgetting))
	}
	t.Logf("%d badge, ledger and message rows alike", len(knowing))
}
