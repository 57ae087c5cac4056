package http

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"

	"bullpen/internal/bullpen"
	"bullpen/internal/flight"
)

// A token the replica has not served is looked up only while its client address has refused
// tokens left (the limit every replica shares, Limits.AuthFailures). Asking the shared count
// before each such lookup made a round trip to Redis per new token: a whole floor arriving
// through one office address at 9 a.m. is thousands. So a replica remembers, per address, what
// the shared count said:
//
//   - refusals left: the replica looks tokens up without asking again for addrClearFor;
//   - none left: it refuses without asking until the Retry-After.
//
// Each token refused still counts in the shared count at once, and that answer is remembered
// too, so past the limit a replica looks up at most one more token per address (the one whose
// refusal tells it) before it refuses.
const addrClearFor = time.Second

// maxAddrChecks bounds the addresses remembered; past it, the stale ones are dropped.
const maxAddrChecks = 10_000

type addrChecks struct {
	mu     sync.Mutex
	m      map[string]addrCheck
	flight singleflight.Group
}

type addrCheck struct{ clearUntil, refusedUntil time.Time }

// checkAddress says whether a token new to the replica may be looked up for this request's
// address. The clock is the real one, as the shared limiter's.
func (s *Server) checkAddress(c *fiber.Ctx) bullpen.RateDecision {
	key, now := s.failuresKey(c), time.Now()
	if d, ok := s.addrChecks.known(key, now); ok {
		return d
	}
	// The requests that come at once from an address ask once.
	d, err := flight.Do(c.UserContext(), &s.addrChecks.flight, key, func(ctx context.Context) (bullpen.RateDecision, error) {
		d := s.takeCtx(ctx, key, s.AuthFailures, 0)
		s.addrChecks.record(key, d, true, time.Now())
		return d, nil
	})
	if err != nil { // this request is gone: its lookup will say so
		return bullpen.RateDecision{Allowed: true}
	}
	return d
}

// countRefusal counts a refused token against the request's address.
func (s *Server) countRefusal(c *fiber.Ctx) bullpen.RateDecision {
	key := s.failuresKey(c)
	d := s.take(c, key, s.AuthFailures, 1)
	s.addrChecks.record(key, d, false, time.Now())
	return d
}

func (a *addrChecks) known(key string, now time.Time) (bullpen.RateDecision, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.m[key]
	switch {
	case now.Before(st.refusedUntil):
		return bullpen.RateDecision{RetryAfter: st.refusedUntil.Sub(now)}, true
	case now.Before(st.clearUntil):
		return bullpen.RateDecision{Allowed: true}, true
	}
	return bullpen.RateDecision{}, false
}

// record keeps what the shared count answered: a refusal until its Retry-After, and, for a
// check (not a refusal counted), refusals left for addrClearFor.
func (a *addrChecks) record(key string, d bullpen.RateDecision, check bool, now time.Time) {
	if d.Allowed && !check {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil || len(a.m) >= maxAddrChecks {
		old := a.m
		a.m = make(map[string]addrCheck, len(old))
		for k, st := range old {
			if now.Before(st.clearUntil) || now.Before(st.refusedUntil) {
				a.m[k] = st
			}
		}
		if len(a.m) >= maxAddrChecks {
			clear(a.m)
		}
	}
	if d.Allowed {
		a.m[key] = addrCheck{clearUntil: now.Add(addrClearFor)}
		return
	}
	a.m[key] = addrCheck{refusedUntil: now.Add(d.RetryAfter)}
}
