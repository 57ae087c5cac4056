package http

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"bullpen/internal/contest"
	"bullpen/internal/flight"
)

// ttlCache keeps values for a short while, so that a burst of requests (a reconnect storm of
// wall displays, a page polled by many, a morning's arrivals by the thousand) reads PostgreSQL
// once per key, not once per request. It holds at most max entries; when full it starts over.
// A value past half its ttl is read again in the background while it is still served
// (cachedRead), so the requests of a busy moment do not all stop for the read each ttl (in the
// morning rush 1,600 of them once waited on one read, slowed by a busy database). A read that
// began before a drop keeps nothing, and no request after a drop shares it.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	max int

	mu  sync.Mutex
	m   map[K]ttlEntry[V]
	gen uint64 // counts drops
}

type ttlEntry[V any] struct {
	v        V
	at       time.Time // when the read that made it began
	renewing bool      // a background read of it is under way
}

func newTTLCache[K comparable, V any](ttl time.Duration, max int) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, max: max, m: map[K]ttlEntry[V]{}}
}

// fresh is k's entry when one younger than age is kept.
func (c *ttlCache[K, V]) fresh(k K, now time.Time, age time.Duration) (ttlEntry[V], bool) {
	e, ok := c.m[k]
	return e, ok && now.Sub(e.at) < age && !now.Before(e.at)
}

// lookup is the value of k when one younger than ttl is kept, and where the drops stand now.
// With claim, renew says the caller is to read it again in the background: it is past half its
// ttl and no such read is under way (the claim holds until putFrom or renewFailed).
func (c *ttlCache[K, V]) lookup(k K, now time.Time, claim bool) (v V, ok bool, gen uint64, renew bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.fresh(k, now, c.ttl)
	if !ok {
		return v, false, c.gen, false
	}
	if claim && !e.renewing && now.Sub(e.at) >= c.ttl/2 {
		e.renewing, renew = true, true
		c.m[k] = e
	}
	return e.v, true, c.gen, renew
}

// kept is the value kept for k, however old; none after a drop.
func (c *ttlCache[K, V]) kept(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return e.v, ok
}

// young is the value of k when one younger than half its ttl is kept: nothing to renew yet.
func (c *ttlCache[K, V]) young(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.fresh(k, now, c.ttl/2)
	return e.v, ok
}

// putFrom keeps v, read from at, unless a drop came after gen or a read begun later is kept.
func (c *ttlCache[K, V]) putFrom(k K, v V, at time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; c.gen != gen || ok && e.at.After(at) {
		return
	}
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = ttlEntry[V]{v: v, at: at}
}

// renewFailed ends a background read that kept nothing.
func (c *ttlCache[K, V]) renewFailed(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		e.renewing = false
		c.m[k] = e
	}
}

// dropIf forgets every entry whose value matches. The background reads under way began
// before the drop, so they keep nothing (putFrom): the entries that stay may be renewed again.
func (c *ttlCache[K, V]) dropIf(match func(V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		switch {
		case match(e.v):
			delete(c.m, k)
		case e.renewing:
			e.renewing = false
			c.m[k] = e
		}
	}
}

// renewTimeout bounds a background read of a cached value.
const renewTimeout = 5 * time.Second

// cachedRead is the value of k from c, read (once for the callers asking at once, flight key)
// when c has none younger than its ttl, and read again in the background, while still served,
// once past half its ttl. Callers share a read only when it began after the last drop, so a
// request that follows a write through this node never gets what was read before it.
func cachedRead[K comparable, V any](ctx context.Context, s *Server, c *ttlCache[K, V], g *singleflight.Group, key string, k K,
	read func(context.Context) (V, error)) (V, error) {
	begun := s.Now()
	v, ok, gen, renew := c.lookup(k, begun, true)
	if ok {
		if renew {
			go func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renewTimeout)
				defer cancel()
				if v, err := read(ctx); err == nil {
					c.putFrom(k, v, begun, gen)
				} else {
					c.renewFailed(k)
					s.Logger.Warn("read a cached value again", "key", key, "err", err)
				}
			}()
		}
		return v, nil
	}
	return flight.Do(ctx, g, key+"|"+strconv.FormatUint(gen, 10), func(ctx context.Context) (V, error) {
		v, err := read(ctx)
		if err == nil {
			c.putFrom(k, v, begun, gen)
		}
		return v, err
	})
}

// sharedContest reads a contest once for all the requests and sockets asking for it at the
// same moment.
func (s *Server) sharedContest(ctx context.Context, id string) (*contest.Contest, error) {
	if k, ok := s.contests.young(id, s.Now()); ok {
		return k, nil
	}
	// The id becomes a key of the cache, which outlives the request: a path id is Fiber's
	// memory, reused by the next request.
	id = strings.Clone(id)
	return cachedRead(ctx, s, s.contests, &s.contestFlight, "contest|"+id, id, func(ctx context.Context) (*contest.Contest, error) {
		return s.ContestReader.Contest(ctx, id)
	})
}

// sharedOpenContests reads the open contests once for all the requests and sockets asking in
// the same contestTTL: every rep arriving at its page asks twice (the page and its socket's
// snapshot), and a morning's arrivals come by the thousand. A contest changed here is seen at
// once (forgetContest), one changed on another node as soon as this one hears of it
// (boardfeed.go); one that opens or closes by the clock within contestTTL.
func (s *Server) sharedOpenContests(ctx context.Context) ([]*contest.Contest, error) {
	return cachedRead(ctx, s, s.open, &s.contestFlight, "open", struct{}{}, func(ctx context.Context) ([]*contest.Contest, error) {
		return s.ContestReader.OpenContests(ctx, s.Now())
	})
}
