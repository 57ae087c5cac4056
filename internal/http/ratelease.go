package http

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

// A token's requests are counted by the limiter every replica shares, but not one round trip
// each: a replica takes a lease of several requests at once (as many as the limit has left,
// up to the lease's size) and spends it here. The slack this costs (docs/api.md "Rate limits"):
//
//   - A lease is at most 1/leaseShare of the limit, and is spent within its life, at most
//     1/leaseShare of the limit's window (and at most maxLeaseLife); what is left then is
//     dropped. Every request served was counted by the shared limiter at most one lease life
//     before: over any window a token gets at most what the shared limit allows over that
//     window made one lease life longer, which is at most 1/leaseShare of the limit more,
//     however many replicas serve it.
//   - A lease dropped unspent was counted all the same: a token whose requests stop and start
//     again may be refused up to one lease per replica early.
//
// A lease starts at firstLease requests (a page opening sends several at once: the rep's page
// about eight) and doubles while the replica spends each before its life ends (up to
// 1/leaseShare of the limit); one that ends unspent halves the next, so a token that asks
// seldom wastes little. Limits under leaseShare requests per window keep the exact check,
// a round trip per request. A refusal is kept until its Retry-After: nobody's requests pass
// the shared limit before then.
//
// A token's first lease on a replica is asked for while its first requests go on: they spend
// it ahead (up to its size), so a rep's first page waits for no round trip to the limiter. Any
// later lease is waited for. If the shared limit had fewer requests left than were spent ahead,
// those were served over it: at most one lease per replica, once per token (while the replica
// keeps its lease: see maxLeases).
const (
	leaseShare   = 20
	maxLeaseLife = time.Second
	firstLease   = 4
)

// maxLeases bounds the tokens a replica keeps leases for; past it, the spent ones are dropped.
const maxLeases = 10_000

type leases struct {
	mu sync.Mutex
	m  map[string]*lease
}

// lease is a replica's requests in hand for one key. Its lock is held while a new lease is
// asked for: the key's other requests on this replica wait for it rather than ask too.
type lease struct {
	mu      sync.Mutex
	left    int       // requests in hand
	until   time.Time // when those left are dropped
	size    int       // the next lease's size (0: none asked for yet)
	refused time.Time // the shared limit refuses until then
	ahead   int       // requests spent ahead of the first lease, which is being asked for
}

func (ls *leases) get(key string, now time.Time) *lease {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.m == nil {
		ls.m = map[string]*lease{}
	}
	l := ls.m[key]
	if l == nil {
		if len(ls.m) >= maxLeases {
			for k, old := range ls.m {
				if old.idle(now) {
					delete(ls.m, k)
				}
			}
		}
		l = &lease{}
		ls.m[key] = l
	}
	return l
}

// idle reports whether the lease holds nothing that matters any more (one being renewed does).
func (l *lease) idle(now time.Time) bool {
	if !l.mu.TryLock() {
		return false
	}
	defer l.mu.Unlock()
	return l.ahead == 0 && !now.Before(l.until) && !now.Before(l.refused)
}

// takeLeased decides one request of key under r from this replica's lease, taking a new lease
// from the shared limiter when it is spent. The clock is the real one, as the shared limiter's.
func (s *Server) takeLeased(c *fiber.Ctx, key string, r bullpen.Rate) bullpen.RateDecision {
	most := r.Count / leaseShare
	if s.RateLimiter == nil || r.Off() || most < 1 {
		return s.take(c, key, r, 1)
	}
	now := time.Now()
	l := s.leases.get(key, now)
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.refused) {
		return bullpen.RateDecision{RetryAfter: l.refused.Sub(now)}
	}
	if l.left > 0 && now.Before(l.until) {
		l.left--
		return bullpen.RateDecision{Allowed: true}
	}
	if first := min(firstLease, most); l.size == 0 && l.ahead < first {
		if l.ahead == 0 {
			go s.askFirstLease(l, key, r, first)
		}
		l.ahead++
		return bullpen.RateDecision{Allowed: true}
	}
	switch {
	case l.size == 0: // the first lease is spent ahead and not here yet: ask for one more
		return s.take(c, key, r, 1)
	case l.left > 0: // dropped unspent: ask for less
		l.size = max(1, l.size/2)
	case now.Before(l.until): // spent in time: ask for more
		l.size = min(most, 2*l.size)
	}
	l.left = 0
	ctx, cancel := context.WithTimeout(c.UserContext(), time.Second)
	defer cancel()
	n, d, err := s.RateLimiter.TakeAtMost(ctx, key, r, min(l.size, most))
	if err != nil {
		s.notChecked(key, 1, err)
		return bullpen.RateDecision{Allowed: true}
	}
	if n < 1 {
		l.refused = now.Add(d.RetryAfter)
		return d
	}
	l.left, l.until = n-1, now.Add(min(maxLeaseLife, r.Per/leaseShare))
	return bullpen.RateDecision{Allowed: true}
}

// askFirstLease takes a token's first lease on this replica and spends on it what was spent
// ahead meanwhile.
func (s *Server) askFirstLease(l *lease, key string, r bullpen.Rate, size int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	asked := time.Now()
	n, d, err := s.RateLimiter.TakeAtMost(ctx, key, r, size)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil:
		s.notChecked(key, l.ahead, err)
	case n < 1:
		l.refused = asked.Add(d.RetryAfter)
	default:
		l.left, l.until = max(0, n-l.ahead), asked.Add(min(maxLeaseLife, r.Per/leaseShare))
	}
	l.size, l.ahead = size, 0
}
