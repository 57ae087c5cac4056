package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/postgres"
	"bullpen/internal/testenv"
)

// launchIncentive stores a spot incentive: deal.won of at least minAmount dollars, open for an hour.
func launchIncentive(t *testing.T, db *postgres.DB, winners, reward, minAmount int) string {
	t.Helper()
	var id string
	err := db.Pool.QueryRow(context.Background(), `INSERT INTO incentives (title, event_type, min_amount, reward_points, max_winners,
		starts_at, ends_at, created_by) VALUES ('First to close $5k+', 'deal.won', $1, $2, $3, now() - interval '1 hour', now() + interval '1 hour', 'test')
		RETURNING id::text`, minAmount*100, reward, winners).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type entry struct {
	rep, deal     string
	won, clawback bool
}

func entries(t *testing.T, db *postgres.DB, id string) []entry {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT rep_id, deal_id, won_at IS NOT NULL, clawed_back_at IS NOT NULL
		FROM incentive_entries WHERE incentive_id = $1 ORDER BY seq`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.rep, &e.deal, &e.won, &e.clawback); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func ledgerCount(t *testing.T, db *postgres.DB, id, reason string) int {
	t.Helper()
	var n int
	err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ledger WHERE incentive_id = $1 AND reason = $2`, id, reason).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSpotIncentiveHasExactlyItsWinnersAcrossTwoConsumers(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	id := launchIncentive(t, db, 3, 200, 5000)
	bin := binary(t, "consumer")
	env := environ(cfg)
	startProcess(t, bin, env)
	startProcess(t, bin, env)
	time.Sleep(2 * time.Second) // let both join the group and split the partitions

	now := time.Now().UTC().Format(time.RFC3339Nano)
	var msgs []kafkago.Message
	for i := 0; i < 10; i++ {
		rep := fmt.Sprintf("rep-%d", i) // keys spread the reps over the six partitions
		msgs = append(msgs, msg(rep, ev{"event_id": fmt.Sprint("q", i), "type": "deal.won", "deal_id": fmt.Sprint("Q", i), "amount": 6000, "occurred_at": now}))
	}
	msgs = append(msgs, msg("rep-small", ev{"event_id": "small", "type": "deal.won", "deal_id": "S", "amount": 4999.99, "occurred_at": now}))
	produce(t, cfg, msgs...)
	testenv.Eventually(t, 30*time.Second, "every deal", func() bool { return eventCount(t, db) == 11 })

	es := entries(t, db, id)
	var winners []entry
	for _, e := range es {
		if e.won {
			winners = append(winners, e)
		}
	}
	if len(es) != 10 || len(winners) != 3 || ledgerCount(t, db, id, "incentive") != 3 {
		t.Fatalf("%d entries, %d winners, %d rewards; want 10, 3, 3: %+v", len(es), len(winners), ledgerCount(t, db, id, "incentive"), es)
	}
	for _, w := range winners {
		testenv.Eventually(t, 10*time.Second, w.rep+"'s balance in Redis", func() bool {
			b, ok, err := store.Balance(context.Background(), w.rep)
			return err == nil && ok && b == 200
		})
		testenv.Eventually(t, 10*time.Second, w.rep+"'s reward message", func() bool {
			n := 0
			for _, m := range history(t, store, "rep:"+w.rep) {
				if m.Type == "reward" {
					n++
				}
			}
			return n == 1
		})
	}

	// A winner's deal is reversed: the reward is clawed back and the place goes to the
	// earliest entry of a rep who has not won.
	loser := winners[1]
	var next entry
	for _, e := range es {
		if !e.won {
			next = e
			break
		}
	}
	produce(t, cfg, msg(loser.rep, ev{"event_id": "rev", "type": "deal.reversed", "deal_id": loser.deal, "occurred_at": now}))
	testenv.Eventually(t, 30*time.Second, "the reversal", func() bool { return eventCount(t, db) == 12 })
	if n := ledgerCount(t, db, id, "clawback"); n != 1 {
		t.Fatalf("%d clawbacks, want 1", n)
	}
	active := map[string]bool{}
	for _, e := range entries(t, db, id) {
		if e.won && !e.clawback {
			active[e.rep] = true
		}
	}
	if len(active) != 3 || active[loser.rep] || !active[next.rep] {
		t.Fatalf("winners after the reversal %v; want 3 without %s and with %s", active, loser.rep, next.rep)
	}
	testenv.Eventually(t, 10*time.Second, "the clawed-back balance", func() bool {
		b, ok, err := store.Balance(context.Background(), loser.rep)
		return err == nil && ok && b == 0
	})
}
