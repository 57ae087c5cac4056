package redis_test

import (
	"context"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

// mustStore opens the shared Redis under a prefix of the test's own, flushed at the end.
func mustStore(t *testing.T) *redis.Store {
	t.Helper()
	return testenv.OpenStore(t, config.Config{RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.Name("t")})
}

func wantBalance(t *testing.T, s *redis.Store, rep string, want int64, wantOK bool) {
	t.Helper()
	got, ok, err := s.Balance(context.Background(), rep)
	if err != nil {
		t.Fatal(err)
	}
	if ok != wantOK || got != want {
		t.Fatalf("balance of %s: %d (present %v), want %d (present %v)", rep, got, ok, want, wantOK)
	}
}

// bal is a balance at a version.
func bal(points, version int64) bullpen.Balance {
	return bullpen.Balance{Points: points, Version: version}
}

func TestSetBalancesWritesAbsoluteValues(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	wantBalance(t, s, "ana", 0, false)
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(500, 4), "bo": bal(-20, 2), "cy": bal(0, 0)}); err != nil {
		t.Fatal(err)
	}
	// The same values again (a replay) and a newer one: no sums, the newest value stands.
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(500, 4)}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 500, true)
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(300, 9)}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 300, true)
	wantBalance(t, s, "bo", -20, true)
	wantBalance(t, s, "cy", 0, true) // a rep without entries: version 0, still a balance
	if err := s.SetBalances(ctx, nil); err != nil {
		t.Fatalf("empty map: %v", err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 0, false)
}

// Two writers whose Redis writes land out of order: the older balance, arriving last, must not
// replace the newer one; an equal version changes nothing.
func TestSetBalancesKeepsTheNewestVersion(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(120, 5), "bo": bal(7, 2)}); err != nil {
		t.Fatal(err)
	}
	// One call mixing a stale balance (ana) with a newer one (bo): each rep is decided alone.
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(100, 3), "bo": bal(9, 6)}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 120, true)
	wantBalance(t, s, "bo", 9, true)
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(999, 5)}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 120, true)
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(130, 6)}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 130, true)
}

// The script is loaded again when Redis has forgotten it (a restart, SCRIPT FLUSH).
func TestSetBalancesAfterScriptFlush(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(1, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(2, 2)}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 2, true)
}

func TestInitBalancesNeverOverwrite(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	if err := s.InitBalances(ctx, map[string]bullpen.Balance{"ana": bal(7, 3), "bo": bal(4, 1)}); err != nil {
		t.Fatalf("first init: %v", err)
	}
	wantBalance(t, s, "ana", 7, true)
	wantBalance(t, s, "bo", 4, true)
	// What InitBalances wrote carries its version: an older balance does not replace it.
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(5, 2)}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 7, true)
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": bal(9, 4)}); err != nil {
		t.Fatal(err)
	}
	if err := s.InitBalances(ctx, map[string]bullpen.Balance{"ana": bal(7, 3)}); err != nil {
		t.Fatalf("init over a value: %v", err)
	}
	wantBalance(t, s, "ana", 9, true)
}
