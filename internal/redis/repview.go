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
func (s *Store) ReadRep(ctx context.Context, q standings.RepQuery) (standings.RepRead, error) {
	var (
		dir     *goredis.SliceCmd
		balance *goredis.StringCmd
		sets    []*goredis.StringCmd
		places  []*goredis.Cmd
	)
	// Each command's error is read below; the pipeline's is the first of them (or the place
	// script's failed load, which leaves the places failing with NOSCRIPT).
	_ = s.pipelineWithPlaces(ctx, func(p goredis.Pipeliner) []*goredis.Cmd {
		dir = p.HMGet(ctx, s.repsKey(), q.RepID)
		if q.Balance {
			balance = p.HGet(ctx, s.balancesKey(), q.RepID)
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
