package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/testenv"
)

func TestConsumerCountsEachEventOnceAndFollowsTheDeal(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("June revenue"))
	startConsumer(t, cfg)

	// The same win three times, a second win of another deal, then its update and a
	// reversal of a third deal.
	produce(t, cfg,
		won("e1", "ana", "D1", 100), won("e1", "ana", "D1", 100), won("e1", "ana", "D1", 100),
		won("e2", "ana", "D2", "50.25"),
		won("e3", "bo", "D3", 400),
		won("e4", "cy", "D4", 90),
		msg("ana", ev{"event_id": "e5", "type": "deal.updated", "deal_id": "D2", "amount": 80.25}),
		msg("bo", ev{"event_id": "e6", "type": "deal.reversed", "deal_id": "D3"}),
		won("e7", "cy", "D4", 9999), // D4 is already won: recorded, changes nothing
	)
	want := []string{"ana=180.25", "cy=90", "bo=0"}
	testenv.Eventually(t, 20*time.Second, "the board", func() bool { return slices.Equal(board(t, store, c.ID), want) })
	if n := eventCount(t, db); n != 7 {
		t.Fatalf("%d events recorded, want 7 (one per event_id)", n)
	}
	var total int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT sum(score) FROM standings WHERE contest_id = $1`, c.ID).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != 27025 {
		t.Fatalf("ledger total %d hundredths, want 27025", total)
	}
}

func TestConsumerAnswersHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	addr := startConsumer(t, cfg)
	for path, want := range map[string]string{"/healthz": `"ok"`, "/readyz": `"kafka":"ok"`, "/metrics": "bullpen_consumer_events_total"} {
		code, body := call(t, "GET", "http://"+addr+path, "", nil)
		if code != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
}

func TestConsumerDeadLettersBadEventsWithoutBlockingThePartition(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("DLQ"))
	startConsumer(t, cfg)

	bad := []struct{ value, code string }{
		{`{not json`, "invalid_json"},
		{`{"event_id":"b2","type":"deal.won","occurred_at":"2026-06-01T10:00:00Z","rep_id":"ana","deal_id":"X","amount":"1.005"}`, "invalid_amount"},
		{`{"event_id":"b3","type":"deal.won","occurred_at":"2026-06-01T10:00:00Z","rep_id":"ana","deal_id":"X","amount":1,"currency":"EUR"}`, "unsupported_currency"},
		{`{"event_id":"b4","type":"deal.lost","occurred_at":"2026-06-01T10:00:00Z","rep_id":"ana","deal_id":"X"}`, "unknown_type"},
		{`{"event_id":"b5","type":"deal.won","occurred_at":"2026-06-01T10:00:00Z","rep_id":"ana","deal_id":"X"}`, "missing_field"},
	}
	var msgs []kafkago.Message
	for _, b := range bad {
		msgs = append(msgs, kafkago.Message{Key: []byte("ana"), Value: []byte(b.value)})
	}
	msgs = append(msgs, won("good", "ana", "D1", 70)) // same key: same partition, after the bad ones
	produce(t, cfg, msgs...)

	testenv.Eventually(t, 20*time.Second, "the good event", func() bool { return slices.Equal(board(t, store, c.ID), []string{"ana=70"}) })

	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: cfg.KafkaBrokers, Topic: cfg.KafkaDLQTopic, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, b := range bad {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("dead letter %d: %v", i, err)
		}
		headers := map[string]string{}
		for _, h := range m.Headers {
			headers[h.Key] = string(h.Value)
		}
		if string(m.Value) != b.value || headers["error"] != b.code || headers["error_detail"] == "" {
			t.Fatalf("dead letter %d: value %q headers %v, want value %q error %q", i, m.Value, headers, b.value, b.code)
		}
	}
	if n := eventCount(t, db); n != 1 {
		t.Fatalf("%d events recorded, want only the good one", n)
	}
}

func TestTiesRankByWhoReachedTheScoreFirstInEitherArrivalOrder(t *testing.T) {
	t.Parallel()
	for _, order := range []string{"early-first", "late-first"} {
		t.Run(order, func(t *testing.T) {
			cfg := testenv.Config(t)
			db, store := openDB(t, cfg), openStore(t, cfg)
			c := mustContest(t, db, revenueContest("Ties"))
			startConsumer(t, cfg)
			early := msg("zed", ev{"event_id": "z1", "type": "deal.won", "deal_id": "Z1", "amount": 500, "occurred_at": "2026-06-01T09:00:00Z"})
			late := msg("amy", ev{"event_id": "a1", "type": "deal.won", "deal_id": "A1", "amount": 500, "occurred_at": "2026-06-01T11:00:00Z"})
			same := msg("bea", ev{"event_id": "b1", "type": "deal.won", "deal_id": "B1", "amount": 500, "occurred_at": "2026-06-01T11:00:00Z"})
			msgs := []kafkago.Message{early, late, same}
			if order == "late-first" {
				msgs = []kafkago.Message{same, late, early}
			}
			for _, m := range msgs {
				produce(t, cfg, m) // one at a time: separate batches, arrival order as given
			}
			// zed reached 500 first; amy and bea at the same moment: rep_id ascending.
			want := []string{"zed=500", "amy=500", "bea=500"}
			testenv.Eventually(t, 20*time.Second, fmt.Sprint("order ", want), func() bool { return slices.Equal(board(t, store, c.ID), want) })
		})
	}
}
