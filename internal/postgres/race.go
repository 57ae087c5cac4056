package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/contest"
	"bullpen/internal/ingest"
)

// finishRaces works out, for the rows of race contests among rows, when each entrant finished
// (from its contributions in occurred_at order, so arrival order does not matter) and, once
// max_winners have finished, when the race ended. rows are updated in place.
func finishRaces(ctx context.Context, tx pgx.Tx, contests []*contest.Contest, rows []ingest.Row) error {
	races := map[string]*contest.Contest{}
	for _, c := range contests {
		if c.Kind == contest.KindRace {
			races[c.ID] = c
		}
	}
	touched := map[string]bool{}
	for i := range rows {
		c, ok := races[rows[i].ContestID]
		if !ok {
			continue
		}
		finished, err := finishedAt(ctx, tx, c, rows[i].Entrant)
		if err != nil {
			return err
		}
		if !sameTime(finished, rows[i].FinishedAt) {
			if _, err := tx.Exec(ctx, `UPDATE standings SET finished_at = $4, version = version + 1
				WHERE contest_id = $1 AND period_key = $2 AND entrant = $3`, c.ID, rows[i].PeriodKey, rows[i].Entrant, finished); err != nil {
				return fmt.Errorf("finish race: %w", err)
			}
			rows[i].FinishedAt = finished
			rows[i].Version++
		}
		touched[c.ID] = true
	}
	for id := range touched {
		if err := endRace(ctx, tx, races[id]); err != nil {
			return err
		}
	}
	return nil
}

// finishedAt replays an entrant's contributions in the order their events occurred.
func finishedAt(ctx context.Context, tx pgx.Tx, c *contest.Contest, entrant string) (*time.Time, error) {
	rows, err := tx.Query(ctx, `SELECT e.occurred_at, c.delta FROM contributions c JOIN events e USING (event_id)
		WHERE c.contest_id = $1 AND c.period_key = $2 AND c.entrant = $3
		ORDER BY e.occurred_at, e.event_id`, c.ID, contest.PeriodKeyNone, entrant)
	if err != nil {
		return nil, fmt.Errorf("replay race of %s: %w", entrant, err)
	}
	steps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[contest.Step])
	if err != nil {
		return nil, fmt.Errorf("replay race of %s: %w", entrant, err)
	}
	return contest.FinishedAt(steps, *c.Target), nil
}

// endRace records when the race ended once max_winners have finished. It only ever moves
// earlier: a late event that makes someone finish sooner ends the race sooner.
func endRace(ctx context.Context, tx pgx.Tx, c *contest.Contest) error {
	rows, err := tx.Query(ctx, `SELECT finished_at FROM standings WHERE contest_id = $1 AND finished_at IS NOT NULL
		ORDER BY finished_at LIMIT $2`, c.ID, c.MaxWinners)
	if err != nil {
		return fmt.Errorf("read finishers of race %s: %w", c.ID, err)
	}
	finished, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return fmt.Errorf("read finishers of race %s: %w", c.ID, err)
	}
	end := c.RaceEnd(finished)
	if end == nil || (c.RaceEndedAt != nil && !end.Before(*c.RaceEndedAt)) {
		return nil
	}
	c.RaceEndedAt = end
	if _, err := tx.Exec(ctx, `UPDATE contests SET race_ended_at = $2 WHERE id = $1`, c.ID, end); err != nil {
		return fmt.Errorf("end race %s: %w", c.ID, err)
	}
	return nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
