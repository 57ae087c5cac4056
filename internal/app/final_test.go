package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/internal/testenv"
)

// prizes reads every prize entry of a contest as "rep=points".
func prizes(t *testing.T, db *postgres.DB, contestID string) map[string]int64 {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT rep_id, points FROM ledger WHERE contest_id = $1 AND reason = 'prize'`, contestID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var rep string
		var p int64
		if err := rows.Scan(&rep, &p); err != nil {
			t.Fatal(err)
		}
		if _, twice := out[rep]; twice {
			t.Fatalf("%s was paid twice", rep)
		}
		out[rep] = p
	}
	return out
}

func contestStatus(t *testing.T, db *postgres.DB, id string) string {
	t.Helper()
	var final bool
	if err := db.Pool.QueryRow(context.Background(), `SELECT finalized_at IS NOT NULL FROM contests WHERE id = $1`, id).Scan(&final); err != nil {
		t.Fatal(err)
	}
	if final {
		return contest.StatusFinal
	}
	return "not final"
}

// endingSoon is a contest that ends a few seconds from now, with two prizes.
func endingSoon(t *testing.T, db *postgres.DB, in time.Duration) *contest.Contest {
	t.Helper()
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	end := time.Now().Add(in).Truncate(time.Millisecond)
	return mustContest(t, db, contest.Contest{Name: "Sprint", Metric: contest.MetricRevenue, StartsAt: start, EndsAt: &end,
		Prizes: []contest.Prize{{Rank: 1, Points: 500}, {Rank: 2, Points: 250}}})
}

func inWindow(c *contest.Contest) string {
	return c.EndsAt.Add(-time.Minute).UTC().Format(time.RFC3339Nano)
}

func TestLateEventsCountInTheGraceAndNotAfterFinal(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.Grace = 3 * time.Second
	cfg.FinalizeCheck = 200 * time.Millisecond
	db := openDB(t, cfg)
	c := endingSoon(t, db, 2*time.Second)
	startConsumer(t, cfg)
	at := inWindow(c)
	produce(t, cfg,
		msg("ana", ev{"event_id": "a", "type": "deal.won", "deal_id": "A", "amount": 300, "occurred_at": at}),
		msg("bob", ev{"event_id": "b", "type": "deal.won", "deal_id": "B", "amount": 200, "occurred_at": at}),
	)
	time.Sleep(time.Until(c.EndsAt.Add(500 * time.Millisecond)))
	// Ended, in the grace: a deal closed before the end, reported late, still counts.
	produce(t, cfg, msg("cy", ev{"event_id": "c", "type": "deal.won", "deal_id": "C", "amount": 400, "occurred_at": at}))
	testenv.Eventually(t, 20*time.Second, "the contest to become final", func() bool { return contestStatus(t, db, c.ID) == contest.StatusFinal })
	if got := ledgerScores(t, db, c.ID); got["cy"] != 40000 {
		t.Fatalf("the event in the grace did not count: %v", got)
	}
	// After final: recorded, changes nothing.
	produce(t, cfg,
		msg("dan", ev{"event_id": "d", "type": "deal.won", "deal_id": "D", "amount": 900, "occurred_at": at}),
		msg("ana", ev{"event_id": "a2", "type": "deal.reversed", "deal_id": "A", "occurred_at": at}),
	)
	testenv.Eventually(t, 20*time.Second, "the late events to be recorded", func() bool { return eventCount(t, db) == 5 })
	want := map[string]int64{"cy": 40000, "ana": 30000, "bob": 20000}
	if err := sameScores(want, ledgerScores(t, db, c.ID)); err != nil {
		t.Fatalf("final standings moved: %v", err)
	}
	if got := prizes(t, db, c.ID); len(got) != 2 || got["cy"] != 500 || got["ana"] != 250 {
		t.Fatalf("prizes %v, want cy 500 and ana 250", got)
	}
}

func TestPrizesArePaidOnceWithTwoConsumersAndOneKilledAtTheBoundary(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.Grace = 2 * time.Second
	cfg.BatchSize = 50
	db := openDB(t, cfg)
	env := append(environ(cfg), "BULLPEN_FINALIZE_CHECK=100ms")
	bin := binary(t, "consumer") // before the clock starts: a slow build must not eat the contest
	one := startProcess(t, bin, env)
	startProcess(t, bin, env)
	c := endingSoon(t, db, 3*time.Second)
	at := inWindow(c)

	var msgs []kafkago.Message
	for i := 0; i < 400; i++ {
		rep := fmt.Sprintf("rep-%02d", i%20)
		msgs = append(msgs, msg(rep, ev{"event_id": fmt.Sprint("p", i), "type": "deal.won", "deal_id": fmt.Sprint("P", i), "amount": 1 + i%20, "occurred_at": at}))
	}
	produce(t, cfg, msgs...)
	if time.Now().After(*c.EndsAt) {
		t.Fatal("the deals were produced after the contest ended: the machine is too slow for this test's timing")
	}
	// Kill one consumer right at the end, while the boundary is being crossed.
	time.Sleep(time.Until(c.EndsAt.Add(cfg.Grace)))
	_ = one.Process.Kill()
	_ = one.Wait()
	testenv.Eventually(t, 60*time.Second, "the contest to become final", func() bool { return contestStatus(t, db, c.ID) == contest.StatusFinal })
	if n := eventCount(t, db); n != 400 {
		t.Fatalf("%d events applied before final, want all 400 (they arrived in time)", n)
	}
	// rep-19 has 20 deals of 20, rep-18 of 19.
	if got := prizes(t, db, c.ID); len(got) != 2 || got["rep-19"] != 500 || got["rep-18"] != 250 {
		t.Fatalf("prizes %v", got)
	}
}

func TestAConsumerDownAtTheEndLosesNothing(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.Grace = time.Second
	cfg.FinalizeCheck = 100 * time.Millisecond
	db := openDB(t, cfg)
	c := endingSoon(t, db, time.Second)
	at := inWindow(c)
	// The deals arrive in time, but no consumer is running to apply them...
	produce(t, cfg,
		msg("ana", ev{"event_id": "a", "type": "deal.won", "deal_id": "A", "amount": 100, "occurred_at": at}),
		msg("bob", ev{"event_id": "b", "type": "deal.won", "deal_id": "B", "amount": 900, "occurred_at": at}))
	// ...until well after the end and its grace.
	time.Sleep(time.Until(c.EndsAt.Add(cfg.Grace + time.Second)))
	startConsumer(t, cfg)
	testenv.Eventually(t, 20*time.Second, "the contest to become final", func() bool { return contestStatus(t, db, c.ID) == contest.StatusFinal })
	if got := ledgerScores(t, db, c.ID); got["bob"] != 90000 || got["ana"] != 10000 {
		t.Fatalf("standings %v: events that arrived in time were lost", got)
	}
	if got := prizes(t, db, c.ID); got["bob"] != 500 || got["ana"] != 250 {
		t.Fatalf("prizes %v, want bob 500 and ana 250", got)
	}
}
