package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// The standings merge is shared by every consumer process: each one marks the contests its
// batches changed in one set, and the process holding the merge lease takes the set and sends
// the merged updates and rank messages, so a contest gets at most one update per interval and
// each rank change is told once, however many consumers run.

func (s *Store) mergeDirtyKey() string { return s.prefix + ":merge:dirty" }
func (s *Store) mergeLeaseKey() string { return s.prefix + ":merge:lease" }

// MarkChanged adds contests to the set of contests changed since the merge last looked.
func (s *Store) MarkChanged(ctx context.Context, contestIDs []string) error {
	if len(contestIDs) == 0 {
		return nil
	}
	members := make([]any, len(contestIDs))
	for i, id := range contestIDs {
		members[i] = id
	}
	if err := s.rdb.SAdd(ctx, s.mergeDirtyKey(), members...).Err(); err != nil {
		return fmt.Errorf("redis: mark contests changed: %w", err)
	}
	return nil
}

var takeChangedScript = goredis.NewScript(`
local m = redis.call('SMEMBERS', KEYS[1])
if #m > 0 then redis.call('DEL', KEYS[1]) end
return m`)

// TakeChanged returns the changed contests and empties the set, atomically.
func (s *Store) TakeChanged(ctx context.Context) ([]string, error) {
	ids, err := takeChangedScript.Run(ctx, s.rdb, []string{s.mergeDirtyKey()}).StringSlice()
	if err != nil {
		return ids, fmt.Errorf("redis: take changed contests: %w", err)
	}
	return ids, nil
}

var holdLeaseScript = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] or (not cur and redis.call('SET', KEYS[1], ARGV[1], 'NX')) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`)

// HoldMergeLease takes or renews the merge lease for holder, for ttl; it says whether holder
// has it. A holder that stops renewing loses it after ttl.
func (s *Store) HoldMergeLease(ctx context.Context, holder string, ttl time.Duration) (bool, error) {
	n, err := holdLeaseScript.Run(ctx, s.rdb, []string{s.mergeLeaseKey()}, holder, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("redis: hold merge lease: %w", err)
	}
	return n == 1, nil
}
