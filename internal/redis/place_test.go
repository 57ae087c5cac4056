package redis_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/ingest"
	"bullpen/internal/redis"
	"bullpen/internal/standings"
	"bullpen/internal/testenv"
)

// Places reads every entrant's row as the board orders it (ties by reached_at, then id; a
// race's finishers first, by finishing time, with their own score), checked against a model of
// that order; entrants without a row, and boards that do not exist, are not placed. The first
// call finds Redis without the script (as after a restart) and loads it.
func TestPlacesReadsEachEntrantsRowAsTheBoardOrdersIt(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var rows []ingest.Row
	for _, board := range []struct {
		contest   string
		finishers int
	}{{"revenue", 0}, {"race", 4}} {
		for i := range 40 {
			r := ingest.Row{BoardKey: ingest.BoardKey{ContestID: board.contest, PeriodKey: "all", Entrant: fmt.Sprintf("rep-%02d", i)},
				Score: bullpen.Fixed(rng.IntN(5) * 10000), ReachedAt: base.Add(time.Duration(rng.IntN(3)) * time.Minute), Version: 1}
			if i < board.finishers {
				at := base.Add(time.Duration(10-i) * time.Hour)
				r.FinishedAt = &at
			}
			rows = append(rows, r)
		}
	}
	if err := s.SetRows(ctx, rows); err != nil {
		t.Fatal(err)
	}
	// A newer version of a row moves it.
	moved := rows[3]
	moved.Score, moved.Version = 99999, 2
	rows[3] = moved
	if err := s.SetRows(ctx, []ingest.Row{moved}); err != nil {
		t.Fatal(err)
	}
	flushScripts(t)

	var qs []standings.PlaceQuery
	want := map[standings.PlaceQuery]ingest.Row{}
	for _, r := range rows {
		q := standings.PlaceQuery{ContestID: r.ContestID, PeriodKey: r.PeriodKey, Entrant: r.Entrant}
		qs, want[q] = append(qs, q), r
	}
	qs = append(qs, standings.PlaceQuery{ContestID: "revenue", PeriodKey: "all", Entrant: "nobody"},
		standings.PlaceQuery{ContestID: "revenue", PeriodKey: "2026-W49", Entrant: "rep-01"})
	rng.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })

	got, err := s.Places(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	order := modelOrder(rows)
	for i, q := range qs {
		r, ok := want[q]
		if !ok {
			if got[i].OK {
				t.Errorf("%+v: placed %+v, want no row", q, got[i].Row)
			}
			continue
		}
		p := got[i].Row
		if !got[i].OK || p.Position != order[q] || p.Entrant != q.Entrant || p.Score != r.Score || !p.ReachedAt.Equal(r.ReachedAt) ||
			(p.FinishedAt == nil) != (r.FinishedAt == nil) {
			t.Errorf("%+v: placed %v %+v, want position %d, score %s, reached %s, finished %v", q, got[i].OK, p, order[q], r.Score, r.ReachedAt, r.FinishedAt)
		}
	}
}

// modelOrder is each row's 0-based position on its board, as the contract orders a board.
func modelOrder(rows []ingest.Row) map[standings.PlaceQuery]int64 {
	boards := map[string][]ingest.Row{}
	for _, r := range rows {
		boards[r.ContestID] = append(boards[r.ContestID], r)
	}
	out := map[standings.PlaceQuery]int64{}
	for _, b := range boards {
		slices.SortFunc(b, func(x, y ingest.Row) int {
			switch {
			case x.FinishedAt != nil && y.FinishedAt != nil:
				return x.FinishedAt.Compare(*y.FinishedAt)
			case x.FinishedAt != nil:
				return -1
			case y.FinishedAt != nil:
				return 1
			}
			return cmp.Or(cmp.Compare(y.Score, x.Score), x.ReachedAt.Compare(y.ReachedAt), cmp.Compare(x.Entrant, y.Entrant))
		})
		for i, r := range b {
			out[standings.PlaceQuery{ContestID: r.ContestID, PeriodKey: r.PeriodKey, Entrant: r.Entrant}] = int64(i)
		}
	}
	return out
}

// flushScripts empties Redis's script cache, as a restart does.
func flushScripts(t *testing.T) {
	t.Helper()
	c, err := redis.NewClient(testenv.RedisURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if err := c.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
}
