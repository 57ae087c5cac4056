package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

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

// AddReps writes the directory entries Redis does not have, and leaves those it has: a reader
// putting back what it found in PostgreSQL must not write over a newer entry that the
// consumer wrote after that read.
func (s *Store) AddReps(ctx context.Context, reps []bullpen.Rep) error {
	if len(reps) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, r := range reps {
			b, _ := json.Marshal(r)
			p.HSetNX(ctx, s.repsKey(), r.RepID, b)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: add reps: %w", err)
	}
	return nil
}

// Reps returns the directory entries of ids that Redis knows.
func (s *Store) Reps(ctx context.Context, ids []string) (map[string]bullpen.Rep, error) {
	out := make(map[string]bullpen.Rep, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if err := s.repsOf(ids, s.rdb.HMGet(ctx, s.repsKey(), ids...), out); err != nil {
		return nil, err
	}
	return out, nil
}

// repsOf decodes an HMGET of ids in the directory into out.
func (s *Store) repsOf(ids []string, cmd *goredis.SliceCmd, out map[string]bullpen.Rep) error {
	vals, err := cmd.Result()
	if err != nil {
		return fmt.Errorf("redis: read reps: %w", err)
	}
	s.reps.decode(ids, vals, out)
	return nil
}

// KnownTeam is the team of the rep's directory entry as this store last read it, without
// asking Redis; ok is false when it has read none lately.
func (s *Store) KnownTeam(repID string) (string, bool) { return s.reps.team(repID) }

// LearnTeams reads the whole directory once, a page at a time, so that KnownTeam knows every
// rep's team from the start rather than from each rep's first page: without it a node's first
// page of a rep in a team contest took a second round trip (its places read again on the team's
// boards), the case of every rep at a morning's first look after a deploy. It stops at half
// the memo's bound (a larger floor learns the rest as before) and returns how many it learnt.
func (s *Store) LearnTeams(ctx context.Context) (int, error) {
	var cursor uint64
	learnt := 0
	for learnt < repMemoMax/2 {
		kv, next, err := s.rdb.HScan(ctx, s.repsKey(), cursor, "", 1000).Result()
		if err != nil {
			return learnt, fmt.Errorf("redis: learn the reps' teams: %w", err)
		}
		ids, vals := make([]string, 0, len(kv)/2), make([]any, 0, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			ids, vals = append(ids, kv[i]), append(vals, kv[i+1])
		}
		s.reps.decode(ids, vals, make(map[string]bullpen.Rep, len(ids)))
		learnt += len(ids)
		if cursor = next; cursor == 0 {
			break
		}
	}
	return learnt, nil
}

// LearnTeamsOnceComplete is LearnTeams once the projection is complete (its generation mark,
// which a rebuild writes last), checked every poll: a server started while the consumer
// rebuilds the projection (Redis lost, or a fresh stack started at once) would learn part of
// the directory, or none of it.
func (s *Store) LearnTeamsOnceComplete(ctx context.Context, poll time.Duration) (int, error) {
	for {
		g, err := s.Generation(ctx)
		if err != nil {
			return 0, err
		}
		if g != "" {
			return s.LearnTeams(ctx)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// repMemo keeps directory entries decoded, by their JSON: a board page reads the same 50 entries
// again and again, and decoding them was most of what reading them cost. An entry is always
// read from Redis; only its decoding is saved, so a changed entry (other JSON) is seen at once.
// It also keeps, by rep id, the entry decoded last: a guess of the rep's team, good enough to
// build a read that the entry read with it confirms (KnownTeam).
type repMemo struct {
	mu   sync.Mutex
	m    map[string]bullpen.Rep
	byID map[string]bullpen.Rep
}

// repMemoMax bounds the memo; when full it starts over.
const repMemoMax = 100_000

func newRepMemo() *repMemo {
	return &repMemo{m: map[string]bullpen.Rep{}, byID: map[string]bullpen.Rep{}}
}

// team is the team of the entry decoded last for the rep.
func (c *repMemo) team(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.byID[id]
	return r.TeamID, ok
}

// decode puts into out, under ids[i], the entry vals[i] holds (HMGET's answer: a string, or nil
// for an id Redis does not know).
func (c *repMemo) decode(ids []string, vals []any, out map[string]bullpen.Rep) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		r, ok := c.m[str]
		if !ok {
			if json.Unmarshal([]byte(str), &r) != nil {
				continue
			}
			if len(c.m) >= repMemoMax {
				clear(c.m)
			}
			c.m[str] = r
		}
		if len(c.byID) >= repMemoMax {
			clear(c.byID)
		}
		// Kept under the entry's own copy of the id: ids may be a request's bytes, reused after it.
		id := r.RepID
		if id != ids[i] {
			id = strings.Clone(ids[i])
		}
		c.byID[id] = r
		out[ids[i]] = r
	}
}
