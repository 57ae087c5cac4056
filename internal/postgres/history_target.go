package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/history"
)

// RepTargets returns a rep's targets in the last `periods` periods of each metric and period
// kind (month, quarter) that have begun by now, with what the ledger's attainment rows count
// for the rep in each set. A future period, whose target is set but not yet in play, is left
// out.
func (db *DB) RepTargets(ctx context.Context, repID string, periods int, now time.Time) ([]history.TargetRow, error) {
	rows, err := db.Pool.Query(ctx, `WITH mine AS (
			SELECT s.id, s.period, s.metric, s.team_id, s.timezone, s.starts_at, s.ends_at, t.target,
				dense_rank() OVER (PARTITION BY s.metric, s.period LIKE '%Q%' ORDER BY s.period DESC) AS n
			FROM targets t JOIN target_sets s ON s.id = t.set_id
			WHERE t.rep_id = $1 AND s.starts_at <= $3)
		SELECT m.period, m.metric, m.team_id, m.timezone, m.starts_at, m.ends_at, m.target, coalesce(a.value, 0)
		FROM mine m LEFT JOIN attainment a ON a.set_id = m.id AND a.rep_id = $1
		WHERE m.n <= $2`, repID, periods, now)
	if err != nil {
		return nil, fmt.Errorf("read the targets of rep %s: %w", repID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (history.TargetRow, error) {
		var t history.TargetRow
		err := r.Scan(&t.Period, &t.Metric, &t.TeamID, &t.Timezone, &t.Start, &t.End, &t.Target, &t.Value)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the targets of rep %s: %w", repID, err)
	}
	return out, nil
}
