package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"bullpen/internal/bullpen"
)

func TestDrainOutboxPublishesInOrderOnceAndKeepsWhatFailed(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	for i := range 5 {
		mustExec(t, db, `INSERT INTO outbox (channel, type, data) VALUES ('floor', 'celebration', $1)`, fmt.Sprintf(`{"n":%d}`, i))
	}
	var got []string
	collect := func(page []bullpen.Queued) error {
		for _, q := range page {
			got = append(got, string(q.Data))
		}
		return nil
	}

	// A publish that fails leaves every message queued, and the pool's connections usable.
	boom := errors.New("redis is down")
	if n, err := db.DrainOutbox(ctx, 3, func([]bullpen.Queued) error { return boom }); !errors.Is(err, boom) || n != 0 {
		t.Fatalf("failed publish: %d, %v", n, err)
	}
	if n, err := db.DrainOutbox(ctx, 3, collect); err != nil || n != 3 {
		t.Fatalf("first page: %d, %v", n, err)
	}
	if n, err := db.DrainOutbox(ctx, 3, collect); err != nil || n != 2 {
		t.Fatalf("second page: %d, %v", n, err)
	}
	if n, err := db.DrainOutbox(ctx, 3, collect); err != nil || n != 0 {
		t.Fatalf("an empty outbox: %d, %v", n, err)
	}
	want := []string{`{"n":0}`, `{"n":1}`, `{"n":2}`, `{"n":3}`, `{"n":4}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("published %v, want %v", got, want)
	}

	// While another process drains (holds the lock), a drain publishes nothing and leaves the
	// messages for it.
	mustExec(t, db, `INSERT INTO outbox (channel, type, data) VALUES ('floor', 'celebration', '{"n":5}')`)
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7317002)`); err != nil {
		t.Fatal(err)
	}
	if n, err := db.DrainOutbox(ctx, 3, collect); err != nil || n != 0 {
		t.Fatalf("while another drains: %d, %v", n, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := db.DrainOutbox(ctx, 3, collect); err != nil || n != 1 || got[len(got)-1] != `{"n":5}` {
		t.Fatalf("after the other drain ended: %d, %v, last %q", n, err, got[len(got)-1])
	}
	var left int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("outbox rows left: %d, %v", left, err)
	}
}
