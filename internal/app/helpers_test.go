package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/app"
	"bullpen/internal/config"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

// startConsumer runs the real consumer wiring until the test ends and returns the address of
// its health and metrics endpoints.
func startConsumer(t *testing.T, cfg config.Config) string {
	t.Helper()
	addr, stop := runConsumer(t, cfg)
	t.Cleanup(stop)
	return addr
}

// runConsumer runs the real consumer wiring until stop (which waits for it to end) and
// returns the address of its health and metrics endpoints.
func runConsumer(t *testing.T, cfg config.Config) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan string, 1)
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() { done <- app.RunConsumer(ctx, cfg, log, func(c app.Consumer) { ready <- c.Addr.String() }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("consumer did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("consumer did not start within 30 s")
	}
	return addr, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("consumer: %v", err)
		}
	}
}

var (
	openDB    = testenv.OpenDB
	openStore = testenv.OpenStore
)

// mustContest stores a contest and counts what the ledger already holds for it.
func mustContest(t *testing.T, db *postgres.DB, c contest.Contest) *contest.Contest {
	t.Helper()
	if err := c.Normalize(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := postgres.LockIngest(ctx, tx); err != nil {
		t.Fatal(err)
	}
	c.CreatedBy = "test"
	if err := postgres.InsertContest(ctx, tx, &c); err != nil {
		t.Fatal(err)
	}
	if err := db.RecountContest(ctx, tx, &c); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return &c
}

// revenueContest runs from 2026 on, and ends far enough ahead that no run of the tests reaches
// its end (an end reached would refuse every event past the grace, and finalize the boards).
func revenueContest(name string) contest.Contest {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	return contest.Contest{Name: name, Metric: contest.MetricRevenue, StartsAt: start, EndsAt: &end}
}

// ev is a deal event as JSON, with defaults for the fields a test does not care about.
type ev map[string]any

func (e ev) json() []byte {
	if _, ok := e["occurred_at"]; !ok {
		e["occurred_at"] = "2026-06-01T10:00:00Z"
	}
	b, _ := json.Marshal(map[string]any(e))
	return b
}

func produce(t *testing.T, cfg config.Config, msgs ...kafkago.Message) {
	t.Helper()
	w := &kafkago.Writer{Addr: kafkago.TCP(cfg.KafkaBrokers...), Transport: &kafkago.Transport{}, Topic: cfg.KafkaTopic, Balancer: &kafkago.Hash{},
		RequiredAcks: kafkago.RequireAll, BatchTimeout: time.Millisecond, BatchSize: 5000}
	defer w.Close()
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

func msg(rep string, e ev) kafkago.Message {
	e["rep_id"] = rep
	return kafkago.Message{Key: []byte(rep), Value: e.json()}
}

func won(id, rep, deal string, amount any) kafkago.Message {
	return msg(rep, ev{"event_id": id, "type": "deal.won", "deal_id": deal, "amount": amount})
}

// board reads a whole board as "entrant=score" strings in rank order.
func board(t *testing.T, s *redis.Store, contestID string) []string {
	t.Helper()
	rows, _, err := s.Range(context.Background(), contestID, contest.PeriodKeyNone, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%s=%s", r.Entrant, r.Score)
	}
	return out
}

// appliedEvents reads the consumer's count of applied events from its /metrics (counted once a
// batch is in the ledger and the projection).
func appliedEvents(t *testing.T, addr string) int {
	t.Helper()
	return consumerEvents(t, addr, "applied")
}

// consumerEvents reads the consumer's count of events with an outcome (applied, duplicate,
// dead_letter) from its /metrics.
func consumerEvents(t *testing.T, addr, outcome string) int {
	t.Helper()
	_, body := call(t, "GET", "http://"+addr+"/metrics", "", nil)
	line := `bullpen_consumer_events_total{outcome="` + outcome + `"} `
	for _, l := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, line); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			return int(n)
		}
	}
	t.Fatalf("no %s count in the consumer's metrics", outcome)
	return 0
}

func eventCount(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
