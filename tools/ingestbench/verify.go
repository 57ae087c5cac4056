package main

import (
	"context"
	"fmt"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
)

// verifyReport says whether a drain left the ledger and the projection right.
type verifyReport struct {
	OK             bool  `json:"ok"`
	EventsInLedger int64 `json:"events_in_ledger"`
	Boards         int   `json:"boards"`
	Rows           int   `json:"standings_rows"`
	RedisChecked   int   `json:"redis_rows_checked"`
	ModelChecked   int   `json:"model_rows_checked"`
	// AttainmentChecked counts the reps whose attainment was compared (drains with targets).
	AttainmentChecked int      `json:"attainment_reps_checked,omitempty"`
	DeadLetters       int64    `json:"dead_letters"`
	Problems          []string `json:"problems,omitempty"`
}

type board struct{ contest, period string }

type pgRow struct {
	score   bullpen.Fixed
	reached time.Time
}

// verify checks that the ledger holds every event once, that every board in Redis equals the
// standings in PostgreSQL (score and tie-break time, row for row), and that PostgreSQL's
// standings equal what the generator computed from the contract's rules on its own.
func verify(ctx context.Context, db *postgres.DB, store *redis.Store, contestIDs []string,
	expected map[modelKey]bullpen.Fixed, events int64) verifyReport {
	r := verifyReport{OK: true}
	problem := func(format string, args ...any) {
		r.OK = false
		if len(r.Problems) < 20 {
			r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
		}
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&r.EventsInLedger); err != nil {
		problem("count events: %v", err)
		return r
	}
	if r.EventsInLedger != events {
		problem("the ledger holds %d events, want %d", r.EventsInLedger, events)
	}

	rows, err := db.Pool.Query(ctx, `SELECT contest_id::text, period_key, entrant, score, reached_at FROM standings`)
	if err != nil {
		problem("read standings: %v", err)
		return r
	}
	boards := map[board]map[string]pgRow{}
	for rows.Next() {
		var b board
		var entrant string
		var row pgRow
		if err := rows.Scan(&b.contest, &b.period, &entrant, &row.score, &row.reached); err != nil {
			rows.Close()
			problem("read standings: %v", err)
			return r
		}
		if boards[b] == nil {
			boards[b] = map[string]pgRow{}
		}
		boards[b][entrant] = row
		r.Rows++
	}
	if err := rows.Err(); err != nil {
		problem("read standings: %v", err)
		return r
	}
	r.Boards = len(boards)

	for b, want := range boards {
		got, size, err := store.Range(ctx, b.contest, b.period, 0, int64(len(want))+1000)
		if err != nil {
			problem("redis board %s/%s: %v", b.contest, b.period, err)
			continue
		}
		if size != int64(len(want)) {
			problem("board %s/%s: redis has %d rows, postgres %d", b.contest, b.period, size, len(want))
		}
		for _, g := range got {
			w, ok := want[g.Entrant]
			switch {
			case !ok:
				problem("board %s/%s: %s is in redis only", b.contest, b.period, g.Entrant)
			case w.score != g.Score:
				problem("board %s/%s: %s scores %s in redis, %s in postgres", b.contest, b.period, g.Entrant, g.Score, w.score)
			case !w.reached.Equal(g.ReachedAt):
				problem("board %s/%s: %s reached at %s in redis, %s in postgres", b.contest, b.period, g.Entrant, g.ReachedAt, w.reached)
			}
			r.RedisChecked++
		}
	}

	index := map[string]int{}
	for i, id := range contestIDs {
		index[id] = i
	}
	seen := map[modelKey]bool{}
	for b, entries := range boards {
		ci, ok := index[b.contest]
		if !ok {
			problem("standings of an unknown contest %s", b.contest)
			continue
		}
		for entrant, row := range entries {
			k := modelKey{Contest: ci, Period: b.period, Entrant: entrant}
			seen[k] = true
			if w := expected[k]; w != row.score {
				problem("contest %d board %s: %s scores %s in postgres, the model says %s", ci, b.period, entrant, row.score, w)
			}
			r.ModelChecked++
		}
	}
	for k, v := range expected {
		if !seen[k] && v != 0 {
			problem("contest %d board %s: %s should score %s and has no row", k.Contest, k.Period, k.Entrant, v)
		}
	}
	return r
}
