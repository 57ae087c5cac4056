package redis

import (
	"context"
	"strconv"

	goredis "github.com/redis/go-redis/v9"
)

// balancesKey is the hash of every rep's points balance (rep id -> whole points).
func (s *Store) balancesKey() string { return s.prefix + ":balances" }

// SetBalances writes reps' balances as the ledger returned them: absolute values, so writing
// the same ones again (a replay, a rebuild) converges.
func (s *Store) SetBalances(ctx context.Context, balances map[string]int64) error {
	if len(balances) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(balances))
	for rep, b := range balances {
		args = append(args, rep, b)
	}
	return s.rdb.HSet(ctx, s.balancesKey(), args...).Err()
}

// InitBalance writes a rep's balance only if Redis holds none, and reports whether it did. A
// reader filling the projection from the ledger uses it, so that its value, read before a
// concurrent writer's commit, never overwrites the newer one that writer set.
func (s *Store) InitBalance(ctx context.Context, repID string, balance int64) (bool, error) {
	return s.rdb.HSetNX(ctx, s.balancesKey(), repID, balance).Result()
}

// Balance returns a rep's balance; ok is false when the projection has none for it.
func (s *Store) Balance(ctx context.Context, repID string) (int64, bool, error) {
	v, err := s.rdb.HGet(ctx, s.balancesKey(), repID).Result()
	if err == goredis.Nil {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	b, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, err
	}
	return b, true, nil
}
