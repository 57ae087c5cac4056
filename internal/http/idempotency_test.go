package http_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

func countContests(t *testing.T, e *env) int {
	t.Helper()
	var list struct{ Items []contestView }
	e.do("GET", "/api/v1/contests", adminSecret, nil).Want(t, 200, &list)
	return len(list.Items)
}

func TestIdempotencyKeyReplaysTheFirstResponse(t *testing.T) {
	e := newEnv(t)
	body := contestBody("Once", time.Now().Add(time.Hour))
	first := e.do("POST", "/api/v1/contests", adminSecret, body, "Idempotency-Key", "k-1")
	first.Want(t, 201, nil)
	again := e.do("POST", "/api/v1/contests", adminSecret, body, "Idempotency-Key", "k-1")
	again.Want(t, 201, nil)
	if !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	if n := countContests(t, e); n != 1 {
		t.Fatalf("%d contests, want 1", n)
	}
	// The key belongs to the token that used it.
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	e.do("POST", "/api/v1/contests", mgr.Token, body, "Idempotency-Key", "k-1").Want(t, 201, nil)
	if n := countContests(t, e); n != 2 {
		t.Fatalf("%d contests, want 2", n)
	}
	// Reused on another endpoint, the key is refused rather than replayed.
	e.do("POST", "/api/v1/tokens", adminSecret, `{"role":"display"}`, "Idempotency-Key", "k-1").
		WantError(t, 400, bullpen.EInvalid, "Idempotency-Key")
}

func TestIdempotencyKeyKeepsClientErrors(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/api/v1/events", adminSecret, `[]`, "Idempotency-Key", "k").WantError(t, 400, bullpen.EInvalid, "")
	e.do("POST", "/api/v1/events", adminSecret, "["+goodEvent+"]", "Idempotency-Key", "k").WantError(t, 400, bullpen.EInvalid, "")
	if n := len(e.producer.produced()); n != 0 {
		t.Fatalf("produced %d events under a spent key", n)
	}
}

func TestIdempotencyKeyRunsConcurrentTwinsOnce(t *testing.T) {
	e := newEnv(t)
	body := contestBody("Twins", time.Now().Add(time.Hour))
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do("POST", "/api/v1/contests", adminSecret, body, "Idempotency-Key", "twin").Status
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		if s != 201 && s != 409 {
			t.Fatalf("statuses %v: want only 201 (first or replay) and 409 (in progress)", statuses)
		}
	}
	if c := countContests(t, e); c != 1 {
		t.Fatalf("%d contests from one key, want 1 (statuses %v)", c, statuses)
	}
}
