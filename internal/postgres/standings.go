package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
)

// Ingest batches take this advisory lock shared, and a change of a contest's rules takes it
// exclusive, so a recount never races a batch.
const ingestLock = 7_317_001

// LockIngest blocks ingest batches until tx ends; call it before recounting a contest.
func LockIngest(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, ingestLock); err != nil {
		return fmt.Errorf("lock ingest: %w", err)
	}
	return nil
}

// RecountContest (re)computes a contest's contributions and standings from the deals and
// activities already in the ledger, inside tx (which must hold LockIngest): it streams them
// through ingest.Recount, which counts them by the same rule as a batch, and writes what it
// counted.
func (db *DB) RecountContest(ctx context.Context, tx pgx.Tx, c *contest.Contest) error {
	if err := forgetContest(ctx, tx, c.ID); err != nil {
		return err
	}
	r := ingest.NewRecount(c, db.Grace)
	if err := recountDeals(ctx, tx, r, c); err != nil {
		return err
	}
	if c.Metric == contest.MetricPoints {
		if err := recountActivities(ctx, tx, r, c); err != nil {
			return err
		}
	}
	if err := insertContributions(ctx, tx, r.Contributions); err != nil {
		return err
	}
	rows, err := moveStandings(ctx, tx, r.Moves)
	if err != nil {
		return err
	}
	if err := finishRaces(ctx, tx, []*contest.Contest{c}, rows); err != nil {
		return err
	}
	return markDeals(ctx, tx, r.Counted)
}

// forgetContest removes what a contest counted, before its rules are counted again.
func forgetContest(ctx context.Context, tx pgx.Tx, id string) error {
	for _, q := range []string{
		`DELETE FROM contributions WHERE contest_id = $1`,
		`DELETE FROM standings WHERE contest_id = $1`,
		`UPDATE deals SET counted = (SELECT coalesce(jsonb_agg(x), '[]') FROM jsonb_array_elements(counted) x WHERE x->>'c' <> $1::text)
		 WHERE counted @> jsonb_build_array(jsonb_build_object('c', $1::text))`,
	} {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return fmt.Errorf("forget contest: %w", err)
		}
	}
	return nil
}

// recountWindow is what a recount reads of the ledger: the contest's window, or from its start
// on while it has no end.
func recountWindow(c *contest.Contest) (time.Time, time.Time) {
	end := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if e := c.EffectiveEnd(); e != nil {
		end = *e
	}
	return c.StartsAt, end
}

func recountDeals(ctx context.Context, tx pgx.Tx, r *ingest.Recount, c *contest.Contest) error {
	from, to := recountWindow(c)
	rows, err := tx.Query(ctx, `SELECT d.deal_id, d.rep_id, d.team_id, d.amount, d.units, d.won_at, d.won_event_id, e.arrived_at
		FROM deals d JOIN events e ON e.event_id = d.won_event_id
		WHERE d.won AND d.won_at >= $1 AND d.won_at < $2`, from, to)
	if err != nil {
		return fmt.Errorf("recount deals: %w", err)
	}
	var d ingest.Deal
	var arrived time.Time
	_, err = pgx.ForEachRow(rows, []any{&d.DealID, &d.RepID, &d.TeamID, &d.Amount, &d.Units, &d.WonAt, &d.WonEventID, &arrived},
		func() error {
			r.Deal(&d, arrived)
			return nil
		})
	if err != nil {
		return fmt.Errorf("recount deals: %w", err)
	}
	return nil
}

func recountActivities(ctx context.Context, tx pgx.Tx, r *ingest.Recount, c *contest.Contest) error {
	from, to := recountWindow(c)
	rows, err := tx.Query(ctx, `SELECT event_id, rep_id, team_id, occurred_at, arrived_at, activity
		FROM events WHERE type = 'activity' AND occurred_at >= $1 AND occurred_at < $2`, from, to)
	if err != nil {
		return fmt.Errorf("recount activities: %w", err)
	}
	ev := event.Event{Type: event.Activity}
	var team string
	_, err = pgx.ForEachRow(rows, []any{&ev.EventID, &ev.RepID, &team, &ev.OccurredAt, &ev.ArrivedAt, &ev.Activity},
		func() error {
			r.Activity(ev, team)
			return nil
		})
	if err != nil {
		return fmt.Errorf("recount activities: %w", err)
	}
	return nil
}

// markDeals appends the contest's contribution to each counted deal, so a later update or
// reversal of the deal moves this contest's board too.
func markDeals(ctx context.Context, tx pgx.Tx, counted map[string]ingest.Counted) error {
	if len(counted) == 0 {
		return nil
	}
	ids := make([]string, 0, len(counted))
	add := make([]string, 0, len(counted))
	for id, c := range counted {
		ids = append(ids, id)
		add = append(add, countedJSON([]ingest.Counted{c}))
	}
	if _, err := tx.Exec(ctx, `UPDATE deals d SET counted = d.counted || u.c
		FROM unnest($1::text[], $2::jsonb[]) u(id, c) WHERE d.deal_id = u.id`, ids, add); err != nil {
		return fmt.Errorf("mark counted deals: %w", err)
	}
	return nil
}

// ContestRows returns every standings row of a contest, to load into the projection.
func (db *DB) ContestRows(ctx context.Context, contestID string) ([]ingest.Row, error) {
	rows, err := db.Pool.Query(ctx, `SELECT contest_id::text, period_key, entrant, score, reached_at, version, finished_at
		FROM standings WHERE contest_id = $1`, contestID)
	if err != nil {
		return nil, fmt.Errorf("read rows of contest %s: %w", contestID, err)
	}
	out, err := collectStandings(rows)
	if err != nil {
		return nil, fmt.Errorf("read rows of contest %s: %w", contestID, err)
	}
	return out, nil
}

// AllRows calls fn with every standings row of every contest that is not cancelled, a page at a
// time, to rebuild the projection.
func (db *DB) AllRows(ctx context.Context, fn func([]ingest.Row) error) error {
	rows, err := db.Pool.Query(ctx, `SELECT s.contest_id::text, s.period_key, s.entrant, s.score, s.reached_at, s.version, s.finished_at
		FROM standings s JOIN contests c ON c.id = s.contest_id WHERE c.cancelled_at IS NULL`)
	if err != nil {
		return fmt.Errorf("read standings: %w", err)
	}
	defer rows.Close()
	page := make([]ingest.Row, 0, 5000)
	for rows.Next() {
		var s ingest.Row
		if err := rows.Scan(&s.ContestID, &s.PeriodKey, &s.Entrant, &s.Score, &s.ReachedAt, &s.Version, &s.FinishedAt); err != nil {
			return fmt.Errorf("read standings: %w", err)
		}
		page = append(page, s)
		if len(page) == cap(page) {
			if err := fn(page); err != nil {
				return err
			}
			page = page[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read standings: %w", err)
	}
	if len(page) > 0 {
		return fn(page)
	}
	return nil
}

// AllReps calls fn with the whole rep directory, a page at a time.
func (db *DB) AllReps(ctx context.Context, fn func([]bullpen.Rep) error) error {
	rows, err := db.Pool.Query(ctx, `SELECT rep_id, name, team_id FROM reps`)
	if err != nil {
		return fmt.Errorf("read reps: %w", err)
	}
	reps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bullpen.Rep])
	if err != nil {
		return fmt.Errorf("read reps: %w", err)
	}
	for len(reps) > 0 {
		n := min(len(reps), 5000)
		if err := fn(reps[:n]); err != nil {
			return err
		}
		reps = reps[n:]
	}
	return nil
}
