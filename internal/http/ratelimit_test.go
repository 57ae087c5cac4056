package http_test

import (
	"context"
	"log/slog"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bullpen/internal/apitest"
	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
	"bullpen/internal/redis"
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

func TestRefusedTokensFromOneAddressAreLimitedOverEveryReplica(t *testing.T) {
	limits := httpapi.Limits{AuthFailures: bullpen.Rate{Count: 3, Per: time.Minute}}
	e := newEnv(t, func(d *httpapi.Deps) { d.Limits = limits })
	other := replica(t, e, limits)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r-1")
	do(t, e.srv, "GET", "/api/v1/me", rep.Token).Want(t, 200, nil)
	// Three guesses are refused as unauthenticated, over both replicas; the fourth is 429 (looked
	// up, as the replica had heard within the second that the address had refusals left).
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

// Tokens new to a replica arriving from one address (a floor behind an office's address) are
// not each preceded by a check of the address's refused tokens: those at once share one check,
// and the replica trusts its answer for a second. A refusal it hears is kept until its Retry-After, without
// asking again.
func TestAnAddressWithRefusalsLeftIsCheckedOnceASecond(t *testing.T) {
	e := newEnv(t)
	limiter := &countingLimiter{RateLimiter: e.store.RateLimiter()}
	s := replica(t, e, httpapi.Limits{AuthFailures: bullpen.Rate{Count: 2, Per: time.Minute}, RateLimiter: limiter})
	toks := make([]minted, 5)
	for i := range toks {
		toks[i] = e.mustMint(adminSecret, bullpen.RoleRep, "r-"+strconv.Itoa(i))
	}
	var wg sync.WaitGroup
	for _, m := range toks { // at once: they share one check
		wg.Go(func() { do(t, s, "GET", "/api/v1/me", m.Token).Want(t, 200, nil) })
	}
	wg.Wait()
	do(t, s, "GET", "/api/v1/me", e.mustMint(adminSecret, bullpen.RoleRep, "r-next").Token).Want(t, 200, nil) // within the second: no check
	if n := limiter.checks.Load(); n != 1 {
		t.Fatalf("%d checks of the address for 6 tokens new to the replica, want 1", n)
	}
	// Two refused tokens spend the address's budget; the third is refused on what the
	// second's count answered, and so is a good token new to the replica, with no more
	// round trips.
	do(t, s, "GET", "/api/v1/me", "guess-1").WantError(t, 401, bullpen.EUnauthenticated, "")
	do(t, s, "GET", "/api/v1/me", "guess-2").WantError(t, 401, bullpen.EUnauthenticated, "")
	do(t, s, "GET", "/api/v1/me", "guess-3").WantError(t, 429, bullpen.ERateLimited, "")
	calls := limiter.calls.Load()
	do(t, s, "GET", "/api/v1/me", "guess-4").WantError(t, 429, bullpen.ERateLimited, "")
	late := e.mustMint(adminSecret, bullpen.RoleRep, "r-late")
	do(t, s, "GET", "/api/v1/me", late.Token).WantError(t, 429, bullpen.ERateLimited, "")
	if n := limiter.calls.Load() - calls; n != 0 {
		t.Fatalf("%d round trips to the limiter for an address it had refused", n)
	}
	// Tokens the replica served go on working from that address.
	do(t, s, "GET", "/api/v1/me", toks[0].Token).Want(t, 200, nil)
}

// countingLimiter is the Redis limiter, counting the round trips made to it.
type countingLimiter struct {
	httpapi.RateLimiter
	calls  atomic.Int64
	checks atomic.Int64 // of them, those that count nothing (n = 0)
}

func (l *countingLimiter) Take(ctx context.Context, key string, r bullpen.Rate, n int) (bullpen.RateDecision, error) {
	l.calls.Add(1)
	if n == 0 {
		l.checks.Add(1)
	}
	return l.RateLimiter.Take(ctx, key, r, n)
}

func (l *countingLimiter) TakeAtMost(ctx context.Context, key string, r bullpen.Rate, n int) (int, bullpen.RateDecision, error) {
	l.calls.Add(1)
	return l.RateLimiter.TakeAtMost(ctx, key, r, n)
}

func TestALeasedLimitIsSharedByEveryReplicaWithinItsSlack(t *testing.T) {
	const count = 200 // per hour: the window refills a request every 18 s
	rate := bullpen.Rate{Count: count, Per: time.Hour}
	e := newEnv(t)
	limiter := &countingLimiter{RateLimiter: e.store.RateLimiter()}
	limits := httpapi.Limits{PerToken: rate, RateLimiter: limiter}
	servers := []*httpapi.Server{replica(t, e, limits), replica(t, e, limits)}
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r-1")
	start := time.Now()
	passed := 0
	for i := range 2 * count {
		r := do(t, servers[i%2], "GET", "/api/v1/me", rep.Token)
		if r.Status == 200 {
			passed++
			continue
		}
		r.WantError(t, 429, bullpen.ERateLimited, "")
		if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
	}
	// What the shared limit allows over the run (its burst and what refilled meanwhile), and
	// the documented slack of the leases: one twentieth of the limit, whatever the replicas.
	refilled := int(math.Ceil(float64(count) * time.Since(start).Seconds() / rate.Per.Seconds()))
	if most := count + refilled + count/20; passed > most {
		t.Fatalf("%d requests passed over two replicas, the limit and its slack allow %d", passed, most)
	}
	// Leases dropped unspent may refuse a little early, at most one each replica.
	if least := count - 2*(count/20); passed < least {
		t.Fatalf("%d requests passed over two replicas, want at least %d", passed, least)
	}
	// A round trip per lease (and one per refusal, kept until its Retry-After), not per request.
	if calls := limiter.calls.Load(); calls*4 > int64(passed) {
		t.Fatalf("%d round trips to the limiter for %d requests passed", calls, passed)
	}
	// Another token has its own count.
	other := e.mustMint(adminSecret, bullpen.RoleRep, "r-2")
	do(t, servers[1], "GET", "/api/v1/me", other.Token).Want(t, 200, nil)
}

// A page opens with several requests at once; a token's first lease covers them, so they cost
// one round trip to the shared limiter, not one for the first and more as the lease grows.
func TestATokensFirstRequestsTakeOneLease(t *testing.T) {
	e := newEnv(t)
	limiter := &countingLimiter{RateLimiter: e.store.RateLimiter()}
	s := replica(t, e, httpapi.Limits{PerToken: bullpen.Rate{Count: 100, Per: time.Minute}, RateLimiter: limiter}) // leases of up to 5, each for 1 s
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r-1")
	for range 4 {
		do(t, s, "GET", "/api/v1/me", rep.Token).Want(t, 200, nil)
	}
	if calls := limiter.calls.Load(); calls != 1 {
		t.Fatalf("%d round trips to the limiter for a token's first 4 requests, want 1", calls)
	}
}

// lines is a log destination a test can count in.
type lines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// TestALimiterThatDoesNotAnswerLetsRequestsThroughAndSaysSoOnce: with the limiter's Redis
// gone, requests pass (the limit is not worth an outage), each is counted in
// bullpen_rate_limit_unchecked_total, and the log has one line for the lot, not one each.
func TestALimiterThatDoesNotAnswerLetsRequestsThroughAndSaysSoOnce(t *testing.T) {
	e := newEnv(t)
	gone, err := redis.Open(context.Background(), e.cfg.RedisURL, e.cfg.RedisPrefix)
	if err != nil {
		t.Fatal(err)
	}
	_ = gone.Close()
	log := &lines{}
	for _, rate := range []bullpen.Rate{{Count: 10, Per: time.Minute}, {Count: 100_000, Per: time.Second}} { // exact, then leased
		limits := httpapi.Limits{PerToken: rate, RateLimiter: gone.RateLimiter()}
		d := httpapi.Deps{Producer: e.producer, AdminToken: e.cfg.AdminToken, Currency: e.cfg.Currency,
			Logger: slog.New(slog.NewTextHandler(log, nil)), Limits: limits}
		s := httpapi.New(app.APIDeps(d, e.db, testenv.OpenStore(t, e.cfg)))
		for range 30 {
			do(t, s, "GET", "/api/v1/me", adminSecret).Want(t, 200, nil)
		}
		if n := log.count("rate limit not checked"); n != 1 {
			t.Fatalf("%d log lines for 30 unchecked requests at %v, want 1", n, rate)
		}
		if n := counterValue(t, s, "bullpen_rate_limit_unchecked_total"); n < 30 {
			t.Fatalf("bullpen_rate_limit_unchecked_total = %v at %v, want at least 30", n, rate)
		}
		log = &lines{}
	}
}

func counterValue(t *testing.T, s *httpapi.Server, name string) float64 {
	t.Helper()
	fams, err := s.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no counter %s", name)
	return 0
}

// Behind a trusted proxy each client has its own budget of refused tokens, by the address the
// proxy appended to X-Forwarded-For; what the client itself wrote there counts for nothing, and
// a connection that is no trusted proxy is counted by its own address whatever it sends.
func TestRefusedTokensAreCountedPerClientBehindATrustedProxy(t *testing.T) {
	limits := httpapi.Limits{AuthFailures: bullpen.Rate{Count: 2, Per: time.Minute}}
	// The test client's connections come from 0.0.0.0: that is the proxy.
	behind := newEnv(t, func(d *httpapi.Deps) {
		d.Limits = limits
		d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32"), netip.MustParsePrefix("10.0.0.0/8")}
	})
	guess := func(e *env, xff string) response {
		return e.do("GET", "/api/v1/me", "guess", nil, "X-Forwarded-For", xff)
	}
	for range 2 {
		guess(behind, "198.51.100.7").WantError(t, 401, bullpen.EUnauthenticated, "")
	}
	guess(behind, "198.51.100.7").WantError(t, 429, bullpen.ERateLimited, "")
	// Another client behind the same proxy is not held back by the first one's guesses.
	guess(behind, "198.51.100.8").WantError(t, 401, bullpen.EUnauthenticated, "")
	// The first client cannot pose as a new one: its own entries sit left of what the proxies
	// appended (here a second, inner proxy in 10/8), and are never read.
	guess(behind, "203.0.113.99, 198.51.100.7, 10.1.2.3").WantError(t, 429, bullpen.ERateLimited, "")

	// With no trusted proxy, the header is ignored: every guess is the connection's.
	direct := newEnv(t, func(d *httpapi.Deps) { d.Limits = limits })
	for _, xff := range []string{"198.51.100.1", "198.51.100.2"} {
		guess(direct, xff).WantError(t, 401, bullpen.EUnauthenticated, "")
	}
	guess(direct, "198.51.100.3").WantError(t, 429, bullpen.ERateLimited, "")
}
