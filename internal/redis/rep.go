package redis

import (
	"context"
	"encoding/json"
	"fmt"

	"bullpen/internal/bullpen"
)

// SetReps writes directory entries (names and teams shown on the boards).
func (s *Store) SetReps(ctx context.Context, reps []bullpen.Rep) error {
	if len(reps) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(reps))
	for _, r := range reps {
		b, _ := json.Marshal(r)
		args = append(args, r.RepID, b)
	}
	if err := s.rdb.HSet(ctx, s.repsKey(), args...).Err(); err != nil {
		return fmt.Errorf("redis: set reps: %w", err)
	}
	return nil
}

// Reps returns the directory entries of ids that Redis knows.
func (s *Store) Reps(ctx context.Context, ids []string) (map[string]bullpen.Rep, error) {
	out := make(map[string]bullpen.Rep, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	vals, err := s.rdb.HMGet(ctx, s.repsKey(), ids...).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: read reps: %w", err)
	}
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var r bullpen.Rep
		if json.Unmarshal([]byte(str), &r) == nil {
			out[ids[i]] = r
		}
	}
	return out, nil
}
