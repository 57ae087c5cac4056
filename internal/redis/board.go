package redis

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
	"bullpen/internal/ingest"
	"bullpen/internal/standings"
)

//go:embed setrow.lua
var setRowSource string

var setRow = goredis.NewScript(setRowSource)

// Ranked is a row read back from a board with its 0-based position.
type Ranked = standings.Row

// A race finisher's sort score is finisherBase plus its finishing time in milliseconds: below
// finisherTop, which is below every score a board holds (scores stay under 10^15 hundredths),
// so finishers come first in finishing order; and above -2^53, so it is exact in a float64.
const (
	finisherBase = -8_000_000_000_000_000
	finisherTop  = -1_000_000_000_000_000
)

// sortKey returns a row's sort score and member: finishers by finishing time, everyone else by
// score then by reached_at.
func sortKey(r ingest.Row) (int64, string, string) {
	if r.FinishedAt != nil {
		info := strconv.FormatInt(int64(r.Score), 10) + " " + strconv.FormatInt(r.ReachedAt.UnixMicro(), 10)
		return finisherBase + r.FinishedAt.UnixMilli(), member(*r.FinishedAt, r.Entrant), info
	}
	return -int64(r.Score), member(r.ReachedAt, r.Entrant), ""
}

// member encodes the tie-break in the sorted-set member: members with equal scores sort
// bytewise, so the reached_at time (fixed width, earliest first) then the entrant id decide.
// The sort score is the negated score in hundredths (exact in a float64 below 2^53), so an
// ascending range lists the best first.
func member(reachedAt time.Time, entrant string) string {
	us := reachedAt.UnixMicro()
	if us < 0 {
		us = 0
	}
	return fmt.Sprintf("%017d|%s", us, entrant)
}

func parseMember(m string) (time.Time, string) {
	ts, entrant, _ := strings.Cut(m, "|")
	us, _ := strconv.ParseInt(ts, 10, 64)
	return time.UnixMicro(us).UTC(), entrant
}

// SetRows writes rows into their boards in one pipeline. Each row's write is atomic and
// ignored when Redis already holds a newer version of it.
func (s *Store) SetRows(ctx context.Context, rows []ingest.Row) error {
	if len(rows) == 0 {
		return nil
	}
	run := func() ([]goredis.Cmder, error) {
		return s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for _, r := range rows {
				sort, m, finisher := sortKey(r)
				setRow.EvalSha(ctx, p,
					[]string{s.boardKey(r.ContestID, r.PeriodKey), s.membersKey(r.ContestID, r.PeriodKey), s.periodsKey(r.ContestID),
						s.finishersKey(r.ContestID, r.PeriodKey)},
					r.Entrant, m, sort, r.Version, r.PeriodKey, finisher)
			}
			return nil
		})
	}
	_, err := run()
	if isNoScript(err) {
		if err := setRow.Load(ctx, s.rdb).Err(); err != nil {
			return fmt.Errorf("redis: set rows: %w", err)
		}
		_, err = run()
	}
	if err != nil {
		return fmt.Errorf("redis: set rows: %w", err)
	}
	return nil
}

// DeleteContest removes every board of a contest (before it is loaded again).
func (s *Store) DeleteContest(ctx context.Context, contestID string) error {
	periods, err := s.rdb.SMembers(ctx, s.periodsKey(contestID)).Result()
	if err != nil {
		return fmt.Errorf("redis: delete boards of contest %s: %w", contestID, err)
	}
	keys := []string{s.periodsKey(contestID)}
	for _, p := range periods {
		keys = append(keys, s.boardKey(contestID, p), s.membersKey(contestID, p), s.finishersKey(contestID, p))
	}
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("redis: delete boards of contest %s: %w", contestID, err)
	}
	return nil
}

// Range returns the rows at positions [offset, offset+limit) of a board and its size.
func (s *Store) Range(ctx context.Context, contestID, periodKey string, offset, limit int64) ([]Ranked, int64, error) {
	var zr *goredis.ZSliceCmd
	var card *goredis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		zr = p.ZRangeWithScores(ctx, s.boardKey(contestID, periodKey), offset, offset+limit-1)
		card = p.ZCard(ctx, s.boardKey(contestID, periodKey))
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("redis: read board %s/%s: %w", contestID, periodKey, err)
	}
	out := make([]Ranked, 0, len(zr.Val()))
	var finishers []string
	for i, z := range zr.Val() {
		r := rankedOf(offset+int64(i), z.Score, z.Member.(string))
		if r.FinishedAt != nil {
			finishers = append(finishers, r.Entrant)
		}
		out = append(out, r)
	}
	if len(finishers) > 0 {
		if err := s.finisherDetails(ctx, contestID, periodKey, finishers, out); err != nil {
			return nil, 0, err
		}
	}
	return out, card.Val(), nil
}

// rankedOf is the row at position of a board's sort score and member; a race finisher's score
// and reached_at are finisherDetails' to fill in.
func rankedOf(position int64, sort float64, m string) Ranked {
	at, entrant := parseMember(m)
	r := Ranked{Position: position, Entrant: entrant, Score: bullpen.Fixed(-int64(sort)), ReachedAt: at}
	if sort < finisherTop {
		r.FinishedAt = &at
	}
	return r
}

// finisherDetails fills in the scores and reached_at times of race finishers, whose sort scores
// hold their finishing time instead.
func (s *Store) finisherDetails(ctx context.Context, contestID, periodKey string, entrants []string, rows []Ranked) error {
	vals, err := s.rdb.HMGet(ctx, s.finishersKey(contestID, periodKey), entrants...).Result()
	if err != nil {
		return fmt.Errorf("redis: read finishers of board %s/%s: %w", contestID, periodKey, err)
	}
	info := make(map[string]string, len(vals))
	for i, v := range vals {
		if str, ok := v.(string); ok {
			info[entrants[i]] = str
		}
	}
	for i := range rows {
		if rows[i].FinishedAt == nil {
			continue
		}
		score, reached, _ := strings.Cut(info[rows[i].Entrant], " ")
		sc, _ := strconv.ParseInt(score, 10, 64)
		us, _ := strconv.ParseInt(reached, 10, 64)
		rows[i].Score, rows[i].ReachedAt = bullpen.Fixed(sc), time.UnixMicro(us).UTC()
	}
	return nil
}

// Position returns an entrant's 0-based position on a board; ok is false when it has no row.
func (s *Store) Position(ctx context.Context, contestID, periodKey, entrant string) (int64, bool, error) {
	cur, err := s.rdb.HGet(ctx, s.membersKey(contestID, periodKey), entrant).Result()
	if err == goredis.Nil {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("redis: read position of %s on board %s/%s: %w", entrant, contestID, periodKey, err)
	}
	_, m, _ := strings.Cut(cur, " ")
	pos, err := s.rdb.ZRank(ctx, s.boardKey(contestID, periodKey), m).Result()
	if err == goredis.Nil {
		return 0, false, nil
	}
	if err != nil {
		return pos, false, fmt.Errorf("redis: read position of %s on board %s/%s: %w", entrant, contestID, periodKey, err)
	}
	return pos, true, nil
}
