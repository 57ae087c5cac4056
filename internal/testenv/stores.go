package testenv

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
)

// OpenDB opens cfg's database (the test's schema) for the test; it is closed at the test's end.
func OpenDB(t testing.TB, cfg config.Config) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// OpenStore opens cfg's Redis key prefix for the test; at the test's end its keys are deleted
// and the client closed. A Redis that a fault test left down only costs the keys (logged).
func OpenStore(t testing.TB, cfg config.Config) *redis.Store {
	t.Helper()
	s, err := redis.Open(context.Background(), cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Flush(context.Background()); err != nil {
			t.Logf("flush redis prefix %s: %v", cfg.RedisPrefix, err)
		}
		_ = s.Close()
	})
	return s
}

// Logger writes a test's warnings and errors into the test's own output.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// NumSub counts the subscribers of a pub/sub channel over every master: on a Redis Cluster each
// node answers PUBSUB NUMSUB for its own connections only.
func NumSub(ctx context.Context, t testing.TB, c goredis.UniversalClient, channel string) int64 {
	t.Helper()
	var n atomic.Int64
	err := redis.ForEachMaster(ctx, c, func(ctx context.Context, node *goredis.Client) error {
		got, err := node.PubSubNumSub(ctx, channel).Result()
		n.Add(got[channel])
		return err
	})
	if err != nil {
		t.Fatalf("pubsub numsub %s: %v", channel, err)
	}
	return n.Load()
}
