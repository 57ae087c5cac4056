package http_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
	"bullpen/internal/testenv"
)

// countedTokens counts the token reads by secret.
type countedTokens struct {
	httpapi.TokenReader
	reads atomic.Int64
}

func (c *countedTokens) TokenByHash(ctx context.Context, h []byte) (bullpen.Token, error) {
	c.reads.Add(1)
	return c.TokenReader.TokenByHash(ctx, h)
}

// watched starts the env's token watcher until the test ends and waits for its first read of
// the log at the clock's time.
func (e *env) watched(clock *testClock) context.CancelFunc {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.srv.WatchTokens(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
	e.followedSince(clock.Now())
	return cancel
}

// followedSince waits for a read of the token log that began at t or later.
func (e *env) followedSince(t time.Time) {
	e.t.Helper()
	testenv.Eventually(e.t, 10*time.Second, "the token watcher's read", func() bool { return !e.srv.TokensFollowedAt().Before(t) })
}

// A node that follows the token log serves the tokens it read ahead, however long ago, without
// reading them again; a token revoked behind its back (no notice) is refused once the log says
// so; a node that stops following keeps tokens for tokenTTL only.
func TestTokensKnownAheadAreServedUntilTheLogSaysTheyChanged(t *testing.T) {
	clock := newClock()
	counted := &countedTokens{}
	e := newEnvWired(t, func(d *httpapi.Deps) { counted.TokenReader, d.TokenReader = d.TokenReader, counted }, withClock(clock))
	ana, bo := e.mustMint(adminSecret, bullpen.RoleRep, "ana"), e.mustMint(adminSecret, bullpen.RoleRep, "bo")
	stop := e.watched(clock)

	clock.move(12 * time.Hour) // the morning after
	e.followedSince(clock.Now())
	before := counted.reads.Load()
	e.do("GET", "/api/v1/me", ana.Token, nil).Want(t, 200, nil)
	e.do("GET", "/api/v1/me", bo.Token, nil).Want(t, 200, nil)
	if n := counted.reads.Load() - before; n != 0 {
		t.Fatalf("%d token reads for tokens the node read ahead, want none", n)
	}

	if _, err := e.db.Pool.Exec(context.Background(), `UPDATE tokens SET revoked_at = now() WHERE id = $1`, ana.ID); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "ana's revoked token refused", func() bool {
		return e.do("GET", "/api/v1/me", ana.Token, nil).Status == 401
	})
	e.do("GET", "/api/v1/me", bo.Token, nil).Want(t, 200, nil)

	stop()
	before = counted.reads.Load()
	e.do("GET", "/api/v1/me", bo.Token, nil).Want(t, 200, nil)
	if n := counted.reads.Load() - before; n != 0 {
		t.Fatalf("%d token reads within tokenTTL of the last read of the log, want none", n)
	}
	clock.move(6 * time.Second)
	e.do("GET", "/api/v1/me", bo.Token, nil).Want(t, 200, nil)
	if n := counted.reads.Load() - before; n != 1 {
		t.Fatalf("%d token reads past tokenTTL without following the log, want 1", n)
	}
}
