package redis

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
	"bullpen/internal/target"
)

//go:embed setvalue.lua
var setValueSource string

var setValue = goredis.NewScript(setValueSource)

// setKey holds a target set's attainment rows: a hash rep -> "version value".
func (s *Store) setKey(setID int64) string {
	return "{" + s.prefix + ":t:" + strconv.FormatInt(setID, 10) + "}:v"
}

// SetAttainment writes attainment rows, one script call per set in one pipeline; each row only
// over an older version of it.
func (s *Store) SetAttainment(ctx context.Context, vals []target.Value) error {
	if len(vals) == 0 {
		return nil
	}
	bySet := map[int64][]any{}
	var order []int64
	for _, v := range vals {
		if _, ok := bySet[v.SetID]; !ok {
			order = append(order, v.SetID)
		}
		bySet[v.SetID] = append(bySet[v.SetID], v.RepID, v.Version, int64(v.Value))
	}
	run := func() ([]goredis.Cmder, error) {
		return s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for _, id := range order {
				setValue.EvalSha(ctx, p, []string{s.setKey(id)}, bySet[id]...)
			}
			return nil
		})
	}
	_, err := run()
	if isNoScript(err) {
		if err := setValue.Load(ctx, s.rdb).Err(); err != nil {
			return fmt.Errorf("redis: set attainment: %w", err)
		}
		_, err = run()
	}
	if err != nil {
		return fmt.Errorf("redis: set attainment: %w", err)
	}
	return nil
}

// Attainment reads the attainment rows of sets: set -> rep -> value.
func (s *Store) Attainment(ctx context.Context, setIDs []int64) (map[int64]map[string]bullpen.Fixed, error) {
	out := make(map[int64]map[string]bullpen.Fixed, len(setIDs))
	if len(setIDs) == 0 {
		return out, nil
	}
	cmds := make([]*goredis.MapStringStringCmd, len(setIDs))
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, id := range setIDs {
			cmds[i] = p.HGetAll(ctx, s.setKey(id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redis: read attainment: %w", err)
	}
	for i, id := range setIDs {
		m := make(map[string]bullpen.Fixed, len(cmds[i].Val()))
		for rep, cur := range cmds[i].Val() {
			_, v, _ := strings.Cut(cur, " ")
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("redis: attainment of set %d, rep %s: %q", id, rep, cur)
			}
			m[rep] = bullpen.Fixed(n)
		}
		out[id] = m
	}
	return out, nil
}

// RepAttainment reads one rep's attainment row of each set (a set where it has none is left
// out), in one round trip.
func (s *Store) RepAttainment(ctx context.Context, setIDs []int64, repID string) (map[int64]bullpen.Fixed, error) {
	if len(setIDs) == 0 {
		return map[int64]bullpen.Fixed{}, nil
	}
	var cmds []*goredis.StringCmd
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		cmds = s.repAttainmentCmds(ctx, p, setIDs, repID)
		return nil
	})
	if err != nil && err != goredis.Nil {
		return nil, fmt.Errorf("redis: read attainment of rep %s: %w", repID, err)
	}
	return repAttainmentOf(setIDs, repID, cmds)
}

// repAttainmentCmds queues on p the HGETs of the rep's row of each set.
func (s *Store) repAttainmentCmds(ctx context.Context, p goredis.Pipeliner, setIDs []int64, repID string) []*goredis.StringCmd {
	cmds := make([]*goredis.StringCmd, len(setIDs))
	for i, id := range setIDs {
		cmds[i] = p.HGet(ctx, s.setKey(id), repID)
	}
	return cmds
}

// repAttainmentOf decodes what repAttainmentCmds read.
func repAttainmentOf(setIDs []int64, repID string, cmds []*goredis.StringCmd) (map[int64]bullpen.Fixed, error) {
	out := make(map[int64]bullpen.Fixed, len(setIDs))
	for i, id := range setIDs {
		cur, err := cmds[i].Result()
		if err == goredis.Nil {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("redis: read attainment of rep %s: %w", repID, err)
		}
		_, v, _ := strings.Cut(cur, " ")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("redis: attainment of set %d, rep %s: %q", id, repID, cur)
		}
		out[id] = bullpen.Fixed(n)
	}
	return out, nil
}

// DeleteSet removes a target set's attainment rows (the set is gone).
func (s *Store) DeleteSet(ctx context.Context, setID int64) error {
	if err := s.rdb.Del(ctx, s.setKey(setID)).Err(); err != nil {
		return fmt.Errorf("redis: delete target set %d: %w", setID, err)
	}
	return nil
}
