package http

import (
	fifo "container/list"
	"sync"
	"time"
)

// boardCache keeps encoded leaderboard pages (the response bodies) for at most maxAge, so a
// board read by thousands of screens and phones at once is read from Redis and encoded once
// per change instead of once per request. A contest's pages are dropped as soon as the node
// hears that its board or its rules changed (boardfeed.go); maxAge is the safety net for what
// is not announced (a rep renamed in the directory, a notice lost in a reconnect). The bodies
// take at most maxBytes, the oldest put out first.
type boardCache struct {
	maxAge   time.Duration
	maxBytes int

	mu       sync.Mutex
	entries  map[boardKey]*fifo.Element // of *boardEntry, in order (oldest at the front)
	order    *fifo.List
	bytes    int
	contests map[string]map[boardKey]struct{} // each contest's entries
	// gens counts each contest's drops; epoch counts drops of everything. A read that began
	// before a drop puts nothing (it may have read the board or the contest before the change).
	gens  map[string]uint64
	epoch uint64
}

// boardKey is one page of one board: the contest, its period key and the query's window.
type boardKey struct {
	contest, period string
	limit, offset   int
}

type boardEntry struct {
	key  boardKey
	body []byte
	at   time.Time // when the read that made it began
}

// boardGen is where a contest's pages stood when a read began.
type boardGen struct{ epoch, gen uint64 }

// maxTracked bounds the contests whose drop counts are kept; past it, everything starts over.
const maxTracked = 100_000

func newBoardCache(maxAge time.Duration, maxBytes int) *boardCache {
	return &boardCache{maxAge: maxAge, maxBytes: maxBytes, entries: map[boardKey]*fifo.Element{}, order: fifo.New(),
		contests: map[string]map[boardKey]struct{}{}, gens: map[string]uint64{}}
}

// get is the page's body when one younger than maxAge is kept.
func (c *boardCache) get(k boardKey, now time.Time) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*boardEntry)
	if now.Sub(e.at) >= c.maxAge {
		c.removeLocked(el)
		return nil, false
	}
	return e.body, true
}

// gen is where the contest's pages stand now; a read takes it before it reads anything.
func (c *boardCache) gen(contest string) boardGen {
	c.mu.Lock()
	defer c.mu.Unlock()
	return boardGen{c.epoch, c.gens[contest]}
}

// put keeps a page read from g at time at, unless the contest (or everything) was dropped
// since g, or the body alone is over the bound.
func (c *boardCache) put(k boardKey, body []byte, g boardGen, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if g != (boardGen{c.epoch, c.gens[k.contest]}) || len(body) > c.maxBytes {
		return
	}
	if el, ok := c.entries[k]; ok {
		c.removeLocked(el)
	}
	for c.bytes+len(body) > c.maxBytes {
		c.removeLocked(c.order.Front())
	}
	c.entries[k] = c.order.PushBack(&boardEntry{key: k, body: body, at: at})
	c.bytes += len(body)
	if c.contests[k.contest] == nil {
		c.contests[k.contest] = map[boardKey]struct{}{}
	}
	c.contests[k.contest][k] = struct{}{}
}

// drop forgets a contest's pages, and makes the reads of it in flight put nothing.
func (c *boardCache) drop(contest string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.gens) >= maxTracked {
		c.dropAllLocked()
		return
	}
	c.gens[contest]++
	for k := range c.contests[contest] {
		c.removeLocked(c.entries[k])
	}
}

// dropAll forgets every page, and makes every read in flight put nothing.
func (c *boardCache) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropAllLocked()
}

func (c *boardCache) dropAllLocked() {
	c.epoch++
	clear(c.gens)
	clear(c.entries)
	clear(c.contests)
	c.order.Init()
	c.bytes = 0
}

func (c *boardCache) removeLocked(el *fifo.Element) {
	e := c.order.Remove(el).(*boardEntry)
	delete(c.entries, e.key)
	c.bytes -= len(e.body)
	if ks := c.contests[e.key.contest]; ks != nil {
		delete(ks, e.key)
		if len(ks) == 0 {
			delete(c.contests, e.key.contest)
		}
	}
}

// size is what the cache holds: entries and bytes of bodies.
func (c *boardCache) size() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.bytes
}
