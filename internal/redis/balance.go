package redis

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
)

//go:embed setbalances.lua
var setBalancesSource string

var setBalances = goredis.NewScript(setBalancesSource)

// balancesKey is the hash of every rep's points balance (rep id -> "<version> <points>").
func (s *Store) balancesKey() string { return s.prefix + ":balances" }

// balanceValue encodes a balance as the hash holds it.
func balanceValue(b bullpen.Balance) string {
	return strconv.FormatInt(b.Version, 10) + " " + strconv.FormatInt(b.Points, 10)
}

// SetBalances writes reps' balances as the ledger returned them: absolute values, each written
// only when Redis holds an older version of that rep's balance (or none), so writers landing
// out of order, a replay and a rebuild all converge on the newest.
func (s *Store) SetBalances(ctx context.Context, balances map[string]bullpen.Balance) error {
	if len(balances) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(balances))
	for rep, b := range balances {
		args = append(args, rep, b.Version, b.Points)
	}
	keys := []string{s.balancesKey()}
	err := setBalances.EvalSha(ctx, s.rdb, keys, args...).Err()
	if isNoScript(err) {
		if err := setBalances.Load(ctx, s.rdb).Err(); err != nil {
			return fmt.Errorf("redis: set balances: %w", err)
		}
		err = setBalances.EvalSha(ctx, s.rdb, keys, args...).Err()
	}
	if err != nil {
		return fmt.Errorf("redis: set balances: %w", err)
	}
	return nil
}

// InitBalances writes each rep's balance only if Redis holds none for it, in one round trip.
// A reader filling the projection from the ledger uses it, so that its value, read before a
// concurrent writer's commit, never overwrites the newer one that writer set.
func (s *Store) InitBalances(ctx context.Context, balances map[string]bullpen.Balance) error {
	if len(balances) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for rep, b := range balances {
			p.HSetNX(ctx, s.balancesKey(), rep, balanceValue(b))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: init %d balances: %w", len(balances), err)
	}
	return nil
}

// Balance returns a rep's points balance; ok is false when the projection has none for it.
func (s *Store) Balance(ctx context.Context, repID string) (int64, bool, error) {
	return s.balanceOf(repID, s.rdb.HGet(ctx, s.balancesKey(), repID))
}

// balanceOf decodes the HGET of a rep's balance.
func (s *Store) balanceOf(repID string, cmd *goredis.StringCmd) (int64, bool, error) {
	v, err := cmd.Result()
	if err == goredis.Nil {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("redis: read balance of %s: %w", repID, err)
	}
	_, points, found := strings.Cut(v, " ")
	if !found {
		return 0, false, fmt.Errorf("balance of %s in redis: %q is not \"<version> <points>\"", repID, v)
	}
	b, err := strconv.ParseInt(points, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("balance of %s in redis: %w", repID, err)
	}
	return b, true, nil
}
