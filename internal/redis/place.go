package redis

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/standings"
)

//go:embed place.lua
var placeSource string

var placeScript = goredis.NewScript(placeSource)

// Places reads each query's entrant row on its board, all in one round trip: what Position and
// a one-row Range read in three, once per board (a rep's page asks it of every open contest).
// A query whose entrant has no row gets ok false.
func (s *Store) Places(ctx context.Context, qs []standings.PlaceQuery) ([]standings.Placed, error) {
	if len(qs) == 0 {
		return make([]standings.Placed, 0), nil
	}
	var cmds []*goredis.Cmd
	err := s.pipelineWithPlaces(ctx, func(p goredis.Pipeliner) []*goredis.Cmd {
		cmds = s.placeCmds(ctx, p, qs)
		return cmds
	})
	if err != nil && err != goredis.Nil {
		return nil, fmt.Errorf("redis: read places: %w", err)
	}
	return s.placesOf(ctx, qs, cmds)
}

// pipelineWithPlaces sends what fill queues in one pipeline, and sends it again once the place
// script is loaded when Redis (or a node of a cluster) lacked it for one of the place scripts
// fill returns.
func (s *Store) pipelineWithPlaces(ctx context.Context, fill func(goredis.Pipeliner) []*goredis.Cmd) error {
	run := func() (bool, error) {
		var places []*goredis.Cmd
		_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
			places = fill(p)
			return nil
		})
		for _, c := range places {
			if goredis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
				return true, err
			}
		}
		return false, err
	}
	noScript, err := run()
	if noScript {
		if err := placeScript.Load(ctx, s.rdb).Err(); err != nil {
			return fmt.Errorf("redis: load place script: %w", err)
		}
		_, err = run()
	}
	return err
}

// placeCmds queues on p the place script of each query.
func (s *Store) placeCmds(ctx context.Context, p goredis.Pipeliner, qs []standings.PlaceQuery) []*goredis.Cmd {
	cmds := make([]*goredis.Cmd, len(qs))
	for i, q := range qs {
		cmds[i] = placeScript.EvalSha(ctx, p, []string{s.membersKey(q.ContestID, q.PeriodKey), s.boardKey(q.ContestID, q.PeriodKey)}, q.Entrant)
	}
	return cmds
}

// placesOf decodes what placeCmds read; a race finisher's score and reached_at, kept beside
// the board, take one more round trip.
func (s *Store) placesOf(ctx context.Context, qs []standings.PlaceQuery, cmds []*goredis.Cmd) ([]standings.Placed, error) {
	out := make([]standings.Placed, len(qs))
	for i, cmd := range cmds {
		res, err := cmd.Slice()
		if err == goredis.Nil {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("redis: read place on board %s/%s: %w", qs[i].ContestID, qs[i].PeriodKey, err)
		}
		row, err := placedRow(res)
		if err != nil {
			return nil, fmt.Errorf("redis: read place on board %s/%s: %w", qs[i].ContestID, qs[i].PeriodKey, err)
		}
		if row.FinishedAt != nil {
			rows := []Ranked{row}
			if err := s.finisherDetails(ctx, qs[i].ContestID, qs[i].PeriodKey, []string{row.Entrant}, rows); err != nil {
				return nil, err
			}
			row = rows[0]
		}
		out[i] = standings.Placed{Row: row, OK: true}
	}
	return out, nil
}

// placedRow decodes the script's {rank, sort score, member} as Range decodes a row.
func placedRow(res []any) (Ranked, error) {
	rank, ok1 := res[0].(int64)
	score, ok2 := res[1].(string)
	m, ok3 := res[2].(string)
	if len(res) != 3 || !ok1 || !ok2 || !ok3 {
		return Ranked{}, fmt.Errorf("unexpected answer %v", res)
	}
	sort, err := strconv.ParseFloat(score, 64)
	if err != nil {
		return Ranked{}, fmt.Errorf("sort score %q: %w", score, err)
	}
	return rankedOf(rank, sort, m), nil
}
