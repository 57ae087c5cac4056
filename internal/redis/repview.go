package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
	"bullpen/internal/standings"
)

// ReadRep reads what a rep's page shows of the projection in one pipeline: its directory
// entry, its balance (when asked), its attainment row of each set and its place on each board.
// On a cluster go-redis sends the pipeline to each node holding some of its keys, at once.
// The directory entry's and the balance's errors are the answer's (their readers fall back
// to the ledger); a place or an attainment row that cannot be read fails the call.
//
// A balance the projection lacks is 0 when the projection is complete (its generation mark
// is set: written last by a rebuild, gone with a flush): every writer of the ledger (a batch,
// a contest's final, an adjustment, a rebuild) writes the balances it moved once it has
// committed (a redelivered batch writes its reps' again; a final's or an adjustment's write
// that failed is redone by the consumer's projection check), so a rep with none has no points.
// Without the mark it is not found, and its reader asks the ledger.
func (s *Store) ReadRep(ctx context.Context, q standings.RepQuery) (standings.RepRead, error) {
	var (
		dir     *goredis.SliceCmd
		balance *goredis.StringCmd
		gen     *goredis.StringCmd
		sets    []*goredis.StringCmd
		places  []*goredis.Cmd
	)
	// Each command's error is read below; the pipeline's is the first of them (or the place
	// script's failed load, which leaves the places failing with NOSCRIPT).
	_ = s.pipelineWithPlaces(ctx, func(p goredis.Pipeliner) []*goredis.Cmd {
		dir = p.HMGet(ctx, s.repsKey(), q.RepID)
		if q.Balance {
			balance = p.HGet(ctx, s.balancesKey(), q.RepID)
			gen = p.Get(ctx, s.generationKey())
		}
		sets = s.repAttainmentCmds(ctx, p, q.SetIDs, q.RepID)
		places = s.placeCmds(ctx, p, q.Places)
		return places
	})
	var r standings.RepRead
	found := make(map[string]bullpen.Rep, 1)
	r.RepErr = s.repsOf([]string{q.RepID}, dir, found)
	r.Rep, r.RepFound = found[q.RepID]
	if balance != nil {
		r.Balance, r.BalanceFound, r.BalanceErr = s.balanceOf(q.RepID, balance)
		if !r.BalanceFound && r.BalanceErr == nil && gen.Err() == nil {
			r.BalanceFound = true // a complete projection: no points
		}
	}
	var err error
	if r.Attainment, err = repAttainmentOf(q.SetIDs, q.RepID, sets); err != nil {
		return r, err
	}
	if r.Places, err = s.placesOf(ctx, q.Places, places); err != nil {
		return r, err
	}
	return r, nil
}
