package http_test

import (
	"strconv"
	"testing"
	"time"

	"bullpen/internal/apitest"
	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
	"bullpen/internal/testenv"
)

// replica is a second server on the env's database and Redis prefix, with a Redis client of
// its own, as another pod would be.
func replica(t *testing.T, e *env, limits httpapi.Limits) *httpapi.Server {
	t.Helper()
	store := testenv.OpenStore(t, e.cfg)
	d := httpapi.Deps{Producer: e.producer, AdminToken: e.cfg.AdminToken, Currency: e.cfg.Currency, Logger: testLogger(t), Limits: limits}
	return httpapi.New(app.APIDeps(d, e.db, store))
}

func do(t *testing.T, s *httpapi.Server, method, path, token string) response {
	t.Helper()
	return apitest.Do(t, s.App(), method, path, token, nil)
}

func TestRateLimitPerTokenIsSharedByEveryReplica(t *testing.T) {
	limits := httpapi.Limits{PerToken: bullpen.Rate{Count: 10, Per: time.Minute}}
	e := newEnv(t, func(d *httpapi.Deps) { d.Limits = limits })
	other := replica(t, e, limits)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r-1") // the admin's own count starts here
	servers := []*httpapi.Server{e.srv, other}
	// Ten requests spread over the two replicas pass; the eleventh, on either, is refused.
	for i := range 10 {
		do(t, servers[i%2], "GET", "/api/v1/me", rep.Token).Want(t, 200, nil)
	}
	for _, s := range servers {
		r := do(t, s, "GET", "/api/v1/me", rep.Token)
		r.WantError(t, 429, bullpen.ERateLimited, "")
		if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
	}
	// Another token has its own count.
	other2 := e.mustMint(adminSecret, bullpen.RoleRep, "r-2")
	do(t, other, "GET", "/api/v1/me", other2.Token).Want(t, 200, nil)
}

func TestRefusedTokensFromOneAddressAreLimitedBeforeTheirLookup(t *testing.T) {
	limits := httpapi.Limits{AuthFailures: bullpen.Rate{Count: 3, Per: time.Minute}}
	e := newEnv(t, func(d *httpapi.Deps) { d.Limits = limits })
	other := replica(t, e, limits)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r-1")
	do(t, e.srv, "GET", "/api/v1/me", rep.Token).Want(t, 200, nil)
	// Three guesses are refused as unauthenticated, over both replicas; the fourth is 429.
	for i, s := range []*httpapi.Server{e.srv, other, e.srv} {
		do(t, s, "GET", "/api/v1/me", "guess-"+strconv.Itoa(i)).WantError(t, 401, bullpen.EUnauthenticated, "")
	}
	r := do(t, other, "GET", "/api/v1/me", "guess-4")
	r.WantError(t, 429, bullpen.ERateLimited, "")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// A token the replica knows (it served it lately) still works from that address, and the
	// bootstrap token; a token new to the replica waits like a guess.
	do(t, e.srv, "GET", "/api/v1/me", adminSecret).Want(t, 200, nil)
	do(t, e.srv, "GET", "/api/v1/me", rep.Token).Want(t, 200, nil)
	do(t, other, "GET", "/api/v1/me", rep.Token).WantError(t, 429, bullpen.ERateLimited, "")
}
