package http

import (
	"context"
	"maps"
	"strconv"
	"sync"
	"time"

	"bullpen/internal/flight"
	"bullpen/internal/target"
)

// currentTargets are the target sets current at one moment with their targets, by rep: each of
// a rep's sets holds the rep's row alone, in the order of the sets (period, metric, team).
type currentTargets struct {
	at     time.Time // when the read that made it began
	byRep  map[string][]target.Stored
	whole  time.Time       // when the sets were last read whole (at, or earlier when only their versions were)
	stands map[int64]int64 // the sets' versions then, by id
}

func indexTargets(sets []target.Stored, at time.Time) *currentTargets {
	cur := &currentTargets{at: at, byRep: map[string][]target.Stored{}, whole: at, stands: make(map[int64]int64, len(sets))}
	for i := range sets {
		cur.stands[sets[i].Set.ID] = sets[i].Version
		for _, r := range sets[i].Reps {
			cur.byRep[r.RepID] = append(cur.byRep[r.RepID], target.Stored{Set: sets[i].Set, Reps: []target.Target{r}})
		}
	}
	return cur
}

// targetsWholeAge is how long a copy may be carried on by its sets' versions alone before the
// sets are read whole again, whatever the versions say: a change that leaves the versions alone
// (a server of a release before migration 018, a fix made by hand in SQL) shows within it.
const targetsWholeAge = time.Minute

// still is the copy carried on to a read at now, when the sets current at now are the copy's
// at the same versions and the copy was read whole less than targetsWholeAge ago.
func (cur *currentTargets) still(versions map[int64]int64, now time.Time) (*currentTargets, bool) {
	if now.Sub(cur.whole) >= targetsWholeAge || now.Before(cur.whole) || !maps.Equal(versions, cur.stands) {
		return nil, false
	}
	return &currentTargets{at: now, byRep: cur.byRep, whole: cur.whole, stands: cur.stands}, true
}

// of are the rep's sets still current at now: a set that ended since the read is left out at
// once; one that began since is seen with the next read.
func (cur *currentTargets) of(repID string, now time.Time) []target.Stored {
	var out []target.Stored
	for _, st := range cur.byRep[repID] {
		if now.Before(st.Set.End) {
			out = append(out, st)
		}
	}
	return out
}

// targetsCache keeps one server-wide copy of the current target sets for at most maxAge:
// every rep arriving at its page asks for its targets twice (the page and its socket's
// snapshot), a morning's arrivals come by the thousand, and targets change a few times a
// month. A write of targets through this node drops the copy at once; one through another
// replica is seen within maxAge. A copy past half its age is read again in the background
// while it is still served, so the requests do not all stop for the read each maxAge (in the
// morning rush 1,600 of them waited on it at once, the read slowed by a busy database).
type targetsCache struct {
	maxAge time.Duration

	mu  sync.Mutex
	cur *currentTargets
	// gen counts drops: a read that began before a drop keeps nothing (it may have read the
	// targets before the write).
	gen uint64
	// renewing: a background read of the kept copy is under way.
	renewing bool
}

// renew says whether the kept copy should be read again in the background now (it is past
// half its age and no such read is under way), and from which drop; a true answer counts as
// the read begun until renewed.
func (c *targetsCache) renew(now time.Time) (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.renewing || c.cur == nil || now.Sub(c.cur.at) < c.maxAge/2 {
		return c.gen, false
	}
	c.renewing = true
	return c.gen, true
}

// renewed ends a background read, kept or not.
func (c *targetsCache) renewed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.renewing = false
}

// kept is the copy kept, however old (nil after a drop).
func (c *targetsCache) kept() *currentTargets {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// get is the copy when one younger than maxAge is kept, and where the drops stand now.
func (c *targetsCache) get(now time.Time) (*currentTargets, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil || now.Sub(c.cur.at) >= c.maxAge || now.Before(c.cur.at) {
		return nil, c.gen, false
	}
	return c.cur, c.gen, true
}

// put keeps cur, read from gen, unless a drop came since.
func (c *targetsCache) put(cur *currentTargets, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		c.cur = cur
	}
}

// drop forgets the copy, and makes the reads in flight keep nothing.
func (c *targetsCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.cur = nil
}

// sharedCurrentTargets are the current target sets, read once for all the requests and
// sockets asking within targetsMaxAge. The readers share a read only when it began after the
// last drop, so a request that follows a write through this node never gets what was read
// before it.
func (s *Server) sharedCurrentTargets(ctx context.Context) (*currentTargets, error) {
	now := s.Now()
	cur, gen, ok := s.targets.get(now)
	if !ok {
		return s.readTargets(ctx, gen)
	}
	if gen, renew := s.targets.renew(now); renew {
		go func() {
			defer s.targets.renewed()
			if _, err := s.readTargets(context.WithoutCancel(ctx), gen); err != nil {
				s.Logger.Warn("read the current targets again", "err", err)
			}
		}()
	}
	return cur, nil
}

// readTargets reads the current target sets and keeps them unless a drop came since gen;
// the readers asking at once, in the background or not, share the read. When the sets are the
// kept copy's at the same versions, it reads only the versions and carries the copy on.
func (s *Server) readTargets(ctx context.Context, gen uint64) (*currentTargets, error) {
	return flight.Do(ctx, &s.targetFlight, strconv.FormatUint(gen, 10), func(ctx context.Context) (*currentTargets, error) {
		now := s.Now()
		if prev := s.targets.kept(); prev != nil {
			versions, err := s.TargetReader.CurrentTargetVersions(ctx, now)
			if err != nil {
				return nil, err
			}
			if cur, ok := prev.still(versions, now); ok {
				s.targets.put(cur, gen)
				return cur, nil
			}
		}
		sets, err := s.TargetReader.TargetSets(ctx, target.Filter{Now: now})
		if err != nil {
			return nil, err
		}
		cur := indexTargets(sets, now)
		s.targets.put(cur, gen)
		return cur, nil
	})
}
