package http_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
)

// heldLimiter holds every lease asked for until the test lets them go.
type heldLimiter struct {
	httpapi.RateLimiter
	held chan struct{}
}

func (l *heldLimiter) TakeAtMost(_ context.Context, key string, r bullpen.Rate, n int) (int, bullpen.RateDecision, error) {
	<-l.held // past the caller's deadline too: a request waiting for it would not end
	return l.RateLimiter.TakeAtMost(context.Background(), key, r, n)
}

// A token's first requests on a replica are served while its first lease is being asked for,
// up to the lease's size; the next waits for the shared limiter.
func TestATokensFirstRequestsDoNotWaitForItsFirstLease(t *testing.T) {
	e := newEnv(t)
	held := &heldLimiter{RateLimiter: e.store.RateLimiter(), held: make(chan struct{})}
	s := replica(t, e, httpapi.Limits{PerToken: bullpen.Rate{Count: 100, Per: time.Minute}, RateLimiter: held}) // first lease: 4
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r-1")
	done := make(chan []int)
	go func() {
		var codes []int
		for range 4 {
			codes = append(codes, do(t, s, "GET", "/api/v1/me", rep.Token).Status)
		}
		done <- codes
	}()
	select {
	case codes := <-done:
		if !slices.Equal(codes, []int{200, 200, 200, 200}) {
			t.Fatalf("first requests answered %v, want 200 each", codes)
		}
	case <-time.After(30 * time.Second):
		close(held.held)
		t.Fatal("a token's first requests waited for its first lease")
	}
	close(held.held)
	do(t, s, "GET", "/api/v1/me", rep.Token).Want(t, 200, nil)
}

// A token already at its limit, arriving at a replica for the first time, is served there at
// most its first lease's size ahead of the shared count, and then refused.
func TestATokenAtItsLimitGetsAtMostOneLeaseAheadOnAnotherReplica(t *testing.T) {
	e := newEnv(t)
	limits := httpapi.Limits{PerToken: bullpen.Rate{Count: 40, Per: time.Hour}, RateLimiter: e.store.RateLimiter()} // leases of up to 2
	a, b := replica(t, e, limits), replica(t, e, limits)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r-1")
	refused := false
	for range 100 {
		if do(t, a, "GET", "/api/v1/me", rep.Token).Status == 429 {
			refused = true
			break
		}
	}
	if !refused {
		t.Fatal("the token never reached its limit on the first replica")
	}
	served := 0
	for range 10 {
		if do(t, b, "GET", "/api/v1/me", rep.Token).Status == 200 {
			served++
		}
	}
	if served > 2 {
		t.Fatalf("%d requests served on the second replica past the limit, want at most its first lease (2)", served)
	}
	do(t, b, "GET", "/api/v1/me", rep.Token).WantError(t, 429, bullpen.ERateLimited, "")
}
