package redis_test

import (
	"context"
	"os"
	"testing"

	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

// mustStore opens the shared Redis under a prefix of the test's own, flushed at the end.
func mustStore(t *testing.T) *redis.Store {
	t.Helper()
	url := os.Getenv("BULLPEN_REDIS_URL")
	if url == "" {
		t.Fatal("BULLPEN_REDIS_URL is not set: start the services with `eval \"$(scripts/services.sh up)\"`")
	}
	s, err := redis.Open(context.Background(), url, testenv.Name("t"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Flush(context.Background())
		_ = s.Close()
	})
	return s
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

func TestSetBalancesWritesAbsoluteValues(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	wantBalance(t, s, "ana", 0, false)
	if err := s.SetBalances(ctx, map[string]int64{"ana": 500, "bo": -20}); err != nil {
		t.Fatal(err)
	}
	// The same values again (a replay) and a newer one: no sums, the latest value stands.
	if err := s.SetBalances(ctx, map[string]int64{"ana": 500}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 500, true)
	if err := s.SetBalances(ctx, map[string]int64{"ana": 300}); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 300, true)
	wantBalance(t, s, "bo", -20, true)
	if err := s.SetBalances(ctx, nil); err != nil {
		t.Fatalf("empty map: %v", err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	wantBalance(t, s, "ana", 0, false)
}

func TestInitBalanceNeverOverwrites(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	if set, err := s.InitBalance(ctx, "ana", 7); err != nil || !set {
		t.Fatalf("first init: %v %v", set, err)
	}
	wantBalance(t, s, "ana", 7, true)
	if err := s.SetBalances(ctx, map[string]int64{"ana": 9}); err != nil {
		t.Fatal(err)
	}
	if set, err := s.InitBalance(ctx, "ana", 7); err != nil || set {
		t.Fatalf("init over a value: %v %v", set, err)
	}
	wantBalance(t, s, "ana", 9, true)
}
