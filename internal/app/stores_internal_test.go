package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"bullpen/internal/testenv"
)

// A connection still held at exit (a stuck or leaked query) does not keep the process alive:
// closing waits its bound, then says how many were in use.
func TestClosingTheStoresDoesNotWaitForeverOnAHeldConnection(t *testing.T) {
	cfg := testenv.Config(t)
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	db, store, _, err := openStores(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	const wait = 300 * time.Millisecond
	start := time.Now()
	closeStores(db, store, log, wait) // without its bound, this never returns
	if took := time.Since(start); took > 20*wait {
		t.Fatalf("closing took %v with a connection held, 20 times its bound", took)
	}
	if !strings.Contains(logs.String(), "acquired=1") {
		t.Fatalf("no word of the connection in use: %s", logs.String())
	}
}
