package http

import (
	"context"
	"strings"
	"sync"
	"time"

	"bullpen/internal/contest"
	"bullpen/internal/flight"
)

// ttlCache keeps values for a short while, so that a burst of requests (a reconnect storm of
// wall displays, a page polled by many) reads PostgreSQL once per key, not once per request.
// It holds at most max entries; when full it starts over.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	max int

	mu sync.Mutex
	m  map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v  V
	at time.Time
}

func newTTLCache[K comparable, V any](ttl time.Duration, max int) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, max: max, m: map[K]ttlEntry[V]{}}
}

func (c *ttlCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || now.Sub(e.at) >= c.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[K, V]) put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = ttlEntry[V]{v: v, at: now}
}

// dropIf forgets every entry whose value matches.
func (c *ttlCache[K, V]) dropIf(match func(V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if match(e.v) {
			delete(c.m, k)
		}
	}
}

// sharedContest reads a contest once for all the requests and sockets asking for it at the
// same moment.
func (s *Server) sharedContest(ctx context.Context, id string) (*contest.Contest, error) {
	if k, ok := s.contests.get(id, s.Now()); ok {
		return k, nil
	}
	// The id becomes a key of the cache, which outlives the request: a path id is Fiber's
	// memory, reused by the next request.
	id = strings.Clone(id)
	return flight.Do(ctx, &s.contestFlight, "contest|"+id, func(ctx context.Context) (*contest.Contest, error) {
		k, err := s.ContestReader.Contest(ctx, id)
		if err == nil {
			s.contests.put(id, k, s.Now())
		}
		return k, err
	})
}

// sharedOpenContests reads the open contests once for all the requests and sockets asking in
// the same contestTTL: every rep arriving at its page asks twice (the page and its socket's
// snapshot), and a morning's arrivals come by the thousand. A contest changed here is seen at
// once (forgetContest), one changed on another node as soon as this one hears of it
// (boardfeed.go); one that opens or closes by the clock within contestTTL.
func (s *Server) sharedOpenContests(ctx context.Context) ([]*contest.Contest, error) {
	if open, ok := s.open.get(struct{}{}, s.Now()); ok {
		return open, nil
	}
	return flight.Do(ctx, &s.contestFlight, "open", func(ctx context.Context) ([]*contest.Contest, error) {
		now := s.Now()
		open, err := s.ContestReader.OpenContests(ctx, now)
		if err == nil {
			s.open.put(struct{}{}, open, now)
		}
		return open, err
	})
}
