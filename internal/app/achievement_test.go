package app_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/achievement"
	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/testenv"
)

// badgeRules are the rules of the exactly-once tests: the day's first win and hat-trick, whose
// standing badges after a flow depend on its final deals only, not on how it was batched.
var badgeRules = achievement.Rules{FirstWin: achievement.Rule{Enabled: true, Points: 5}, HatTrick: achievement.Rule{Enabled: true, Points: 100}}

// badgeFlow is n events for 60 reps over five days: wins, reversals and calls, some sent twice,
// and the badges (rep kind date) that must stand at its end, from the deals left won.
func badgeFlow(n int) ([]kafkago.Message, int, map[string]bool) {
	rng := rand.New(rand.NewPCG(3, 5))
	type deal struct{ id, rep, day string }
	var open []deal
	wins := map[string]int{} // rep day -> deals won and not reversed
	var msgs []kafkago.Message
	for i := range n {
		rep := fmt.Sprintf("rep-%02d", rng.IntN(60))
		day := time.Date(2026, 6, 1+rng.IntN(5), 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
		id := fmt.Sprintf("ev-%d", i)
		e := ev{"event_id": id, "occurred_at": day.Format(time.RFC3339)}
		switch r := rng.IntN(100); {
		case r < 70:
			d := deal{id: "D-" + id, rep: rep, day: day.Format(time.DateOnly)}
			open = append(open, d)
			wins[rep+" "+d.day]++
			e["type"], e["deal_id"], e["amount"] = "deal.won", d.id, 100+rng.IntN(1000)
		case r < 85 && len(open) > 0:
			k := rng.IntN(len(open))
			d := open[k]
			open = slices.Delete(open, k, k+1)
			rep = d.rep
			wins[rep+" "+d.day]--
			e["type"], e["deal_id"] = "deal.reversed", d.id
		default:
			e["type"], e["activity"] = "activity", "call"
		}
		m := msg(rep, e)
		msgs = append(msgs, m)
		if rng.IntN(40) == 0 {
			msgs = append(msgs, m)
		}
	}
	want := map[string]bool{}
	for k, n := range wins {
		if n >= 1 {
			want[fmt.Sprintf("%s first_win %s", k[:6], k[7:])] = true
		}
		if n >= 3 {
			want[fmt.Sprintf("%s hat_trick %s", k[:6], k[7:])] = true
		}
	}
	return msgs, n, want
}

// checkBadges holds the ledger to the model: the standing badges are exactly want, and every
// badge's achievement entries add up to its points if it stands and to 0 if it was revoked
// (paid at most once per award, taken back at most once per revocation).
func checkBadges(t *testing.T, db *postgres.DB, want map[string]bool) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Pool.Query(ctx, `SELECT a.rep_id, a.kind, a.occurrence, a.revoked_at IS NULL, a.points,
			coalesce((SELECT sum(l.points) FROM ledger l WHERE l.achievement_id = a.id), 0)::bigint,
			(SELECT count(*) FROM ledger l WHERE l.achievement_id = a.id AND l.points > 0),
			(SELECT count(*) FROM ledger l WHERE l.achievement_id = a.id AND l.points < 0)
		FROM achievements a`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var rep, kind, key string
		var standing bool
		var points, net, paid, taken int64
		if err := rows.Scan(&rep, &kind, &key, &standing, &points, &net, &paid, &taken); err != nil {
			t.Fatal(err)
		}
		name := rep + " " + kind + " " + key
		if standing {
			got[name] = true
		}
		switch {
		case standing && (net != points || paid != taken+1):
			t.Errorf("%s stands with %d points paid %d times, taken back %d times (net %d); want its %d once more than taken", name, paid, paid, taken, net, points)
		case !standing && (net != 0 || paid != taken):
			t.Errorf("%s revoked with net %d (paid %d, taken %d); want 0", name, net, paid, taken)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		var missing, extra []string
		for k := range want {
			if !got[k] {
				missing = append(missing, k)
			}
		}
		for k := range got {
			if !want[k] {
				extra = append(extra, k)
			}
		}
		t.Fatalf("%d badges stand, want %d: missing %v, extra %v", len(got), len(want), missing, extra)
	}
}

func badgesSetUp(t *testing.T, batch int) (config.Config, *postgres.DB) {
	t.Helper()
	cfg := testenv.Config(t)
	cfg.BatchSize = batch
	db := openDB(t, cfg)
	openStore(t, cfg)
	if err := db.PutAchievementRules(context.Background(), badgeRules, "test"); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

func TestBadgesAreAwardedExactlyOnceAcrossAKillNine(t *testing.T) {
	t.Parallel()
	cfg, db := badgesSetUp(t, 40) // many batches, so the kill lands between and inside them
	msgs, unique, want := badgeFlow(3000)
	produce(t, cfg, msgs...)
	bin := binary(t, "consumer")
	first := startProcess(t, bin, environ(cfg))
	testenv.Eventually(t, 60*time.Second, "a third of the events", func() bool { return eventCount(t, db) >= unique/3 })
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAt := eventCount(t, db)
	if killedAt >= unique {
		t.Fatalf("the consumer finished (%d events) before it was killed: the test proves nothing", killedAt)
	}
	startProcess(t, bin, environ(cfg))
	testenv.Eventually(t, 120*time.Second, "every event", func() bool { return eventCount(t, db) == unique })
	checkBadges(t, db, want)
	t.Logf("killed at %d of %d events; %d badges stand", killedAt, unique, len(want))
}

func TestBadgesAreAwardedExactlyOnceByTwoConsumers(t *testing.T) {
	t.Parallel()
	cfg, db := badgesSetUp(t, 40)
	bin := binary(t, "consumer")
	startProcess(t, bin, environ(cfg))
	startProcess(t, bin, environ(cfg))
	time.Sleep(2 * time.Second) // let both join the group and split the partitions
	msgs, unique, want := badgeFlow(3000)
	produce(t, cfg, msgs[:len(msgs)/2]...)
	produce(t, cfg, msgs...) // the first half twice: every event of it redelivered
	testenv.Eventually(t, 120*time.Second, "every event", func() bool { return eventCount(t, db) == unique })
	checkBadges(t, db, want)
}
