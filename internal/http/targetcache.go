package http

import (
	"context"
	"maps"
	"time"

	"bullpen/internal/target"
)

// currentTargets are the target sets current at one moment with their targets, by rep: each of
// a rep's sets holds the rep's row alone, in the order of the sets (period, metric, team).
type currentTargets struct {
	byRep  map[string][]target.Stored
	whole  time.Time       // when the sets were last read whole (later reads may have read only their versions)
	stands map[int64]int64 // the sets' versions then, by id
}

func indexTargets(sets []target.Stored, at time.Time) *currentTargets {
	cur := &currentTargets{byRep: map[string][]target.Stored{}, whole: at, stands: make(map[int64]int64, len(sets))}
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
	return &currentTargets{byRep: cur.byRep, whole: cur.whole, stands: cur.stands}, true
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

// sharedCurrentTargets are the current target sets, one server-wide copy read once for all the
// requests and sockets asking within targetsMaxAge (cachedRead): every rep arriving at its page
// asks for its targets twice (the page and its socket's snapshot), a morning's arrivals come by
// the thousand, and targets change a few times a month. A write of targets through this node
// drops the copy at once (forgetTargets); one through another replica is seen within
// targetsMaxAge.
func (s *Server) sharedCurrentTargets(ctx context.Context) (*currentTargets, error) {
	return cachedRead(ctx, s, s.targets, &s.targetFlight, "targets", struct{}{}, s.readTargets)
}

// forgetTargets drops the copy of the current targets, and makes the reads in flight keep
// nothing.
func (s *Server) forgetTargets() {
	s.targets.dropIf(func(*currentTargets) bool { return true })
}

// readTargets reads the current target sets. When they are the kept copy's at the same
// versions, it reads only the versions and carries the copy on.
func (s *Server) readTargets(ctx context.Context) (*currentTargets, error) {
	now := s.Now()
	if prev, ok := s.targets.kept(struct{}{}); ok {
		versions, err := s.TargetReader.CurrentTargetVersions(ctx, now)
		if err != nil {
			return nil, err
		}
		if cur, ok := prev.still(versions, now); ok {
			return cur, nil
		}
	}
	sets, err := s.TargetReader.TargetSets(ctx, target.Filter{Now: now})
	if err != nil {
		return nil, err
	}
	return indexTargets(sets, now), nil
}
