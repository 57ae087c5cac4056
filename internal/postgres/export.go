package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/contest"
	"bullpen/internal/export"
)

// The exports read with one query each and hand every row to fn as pgx reads it off the
// connection, so a million rows take the memory of one. The caller holds a pool connection
// for as long as fn takes; cancelling ctx stops the query.

// ExportStandings calls fn with each row of a contest period's board, in rank order.
func (db *DB) ExportStandings(ctx context.Context, k *contest.Contest, periodKey string, fn func(*export.StandingRow) error) error {
	rows, err := db.Pool.Query(ctx, `SELECT s.entrant, coalesce(r.name, ''), coalesce(r.team_id, ''), s.score, s.reached_at, s.finished_at
		FROM standings s LEFT JOIN reps r ON $3 AND r.rep_id = s.entrant
		WHERE s.contest_id = $1 AND s.period_key = $2
		ORDER BY s.`+boardOrder, k.ID, periodKey, k.Scope != contest.ScopeTeam)
	if err != nil {
		return fmt.Errorf("export standings: %w", err)
	}
	var r export.StandingRow
	_, err = pgx.ForEachRow(rows, []any{&r.Entrant, &r.Name, &r.TeamID, &r.Score, &r.ReachedAt, &r.FinishedAt}, func() error {
		r.Rank++
		if k.Scope == contest.ScopeTeam {
			r.TeamID = r.Entrant
		}
		return fn(&r)
	})
	if err != nil {
		return fmt.Errorf("export standings: %w", err)
	}
	return nil
}

// ExportLedger calls fn with each ledger entry the filter selects, in id order (the order the
// ledger recorded them).
func (db *DB) ExportLedger(ctx context.Context, f export.LedgerFilter, fn func(*export.LedgerRow) error) error {
	rows, err := db.Pool.Query(ctx, `SELECT l.id, l.created_at, l.rep_id, coalesce(r.name, ''), coalesce(r.team_id, ''),
			l.points, l.reason, l.note, l.by, coalesce(l.event_id, ''), coalesce(l.deal_id, ''),
			coalesce(l.incentive_id::text, ''), coalesce(l.contest_id::text, ''), coalesce(l.period_key, '')
		FROM ledger l LEFT JOIN reps r ON r.rep_id = l.rep_id
		WHERE l.created_at >= $1 AND l.created_at < $2 AND ($3 = '' OR l.rep_id = $3) AND ($4 = '' OR r.team_id = $4)
		ORDER BY l.id`, f.Range.From, f.Range.To, f.RepID, f.TeamID)
	if err != nil {
		return fmt.Errorf("export ledger: %w", err)
	}
	var r export.LedgerRow
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.CreatedAt, &r.RepID, &r.Name, &r.TeamID, &r.Points, &r.Reason, &r.Note, &r.By,
		&r.EventID, &r.DealID, &r.IncentiveID, &r.ContestID, &r.PeriodKey}, func() error { return fn(&r) })
	if err != nil {
		return fmt.Errorf("export ledger: %w", err)
	}
	return nil
}

// ExportWinners calls fn with each spot-incentive win the filter selects, in the order they
// were won.
func (db *DB) ExportWinners(ctx context.Context, f export.WinnerFilter, fn func(*export.WinnerRow) error) error {
	var from, to any
	if f.Range != nil {
		from, to = f.Range.From, f.Range.To
	}
	var incentiveID any
	if f.IncentiveID != "" {
		incentiveID = f.IncentiveID
	}
	rows, err := db.Pool.Query(ctx, `SELECT e.incentive_id::text, i.title, e.won_at, e.rep_id, coalesce(r.name, ''), coalesce(r.team_id, ''),
			e.deal_id, e.event_id, ev.amount, i.reward_points, e.clawed_back_at
		FROM incentive_entries e JOIN incentives i ON i.id = e.incentive_id
		LEFT JOIN reps r ON r.rep_id = e.rep_id
		LEFT JOIN events ev ON ev.event_id = e.event_id
		WHERE e.won_at IS NOT NULL AND ($1::uuid IS NULL OR e.incentive_id = $1::uuid)
		  AND ($2::timestamptz IS NULL OR e.won_at >= $2) AND ($3::timestamptz IS NULL OR e.won_at < $3)
		ORDER BY e.won_at, e.incentive_id, e.seq`, incentiveID, from, to)
	if err != nil {
		return fmt.Errorf("export incentive winners: %w", err)
	}
	var r export.WinnerRow
	_, err = pgx.ForEachRow(rows, []any{&r.IncentiveID, &r.Title, &r.WonAt, &r.RepID, &r.Name, &r.TeamID,
		&r.DealID, &r.EventID, &r.Amount, &r.RewardPoints, &r.ClawedBackAt}, func() error { return fn(&r) })
	if err != nil {
		return fmt.Errorf("export incentive winners: %w", err)
	}
	return nil
}

// BoardFinalizedAt is when a contest period's board became final; nil while it is not.
func (db *DB) BoardFinalizedAt(ctx context.Context, contestID, periodKey string) (*time.Time, error) {
	var at *time.Time
	err := db.Pool.QueryRow(ctx, `SELECT max(finalized_at) FROM finals WHERE contest_id = $1 AND period_key = $2`,
		contestID, periodKey).Scan(&at)
	if err != nil {
		return nil, fmt.Errorf("read the final of board %s of contest %s: %w", periodKey, contestID, err)
	}
	return utcPtr(at), nil
}

// ExportAttainment calls fn with the lines of the target sets the filter selects, set by set
// (by metric, then team), each set's team line first, then its reps' by rep_id. A team's line
// is its own target or the sum of its reps' (Derived), and the sum of every attainment row of
// the set, reps without a target included, as GET /targets counts it.
func (db *DB) ExportAttainment(ctx context.Context, f export.AttainmentFilter, fn func(*export.AttainmentRow) error) error {
	rows, err := db.Pool.Query(ctx, `SELECT s.period, s.starts_at, s.ends_at, s.timezone, s.metric, s.team_id,
			l.rep_id, coalesce(r.name, ''), l.target, l.derived, l.value
		FROM target_sets s
		CROSS JOIN LATERAL (
			SELECT '' AS rep_id, 0 AS line,
				coalesce(max(t.target) FILTER (WHERE t.rep_id = ''), sum(t.target) FILTER (WHERE t.rep_id <> ''), 0)::bigint AS target,
				count(*) FILTER (WHERE t.rep_id = '') = 0 AS derived,
				(SELECT coalesce(sum(a.value), 0) FROM attainment a WHERE a.set_id = s.id)::bigint AS value
			FROM targets t WHERE t.set_id = s.id
			UNION ALL
			SELECT t.rep_id, 1, t.target, false, coalesce(a.value, 0)
			FROM targets t LEFT JOIN attainment a ON a.set_id = t.set_id AND a.rep_id = t.rep_id
			WHERE t.set_id = s.id AND t.rep_id <> '') l
		LEFT JOIN reps r ON l.rep_id <> '' AND r.rep_id = l.rep_id
		WHERE s.period = $1 AND ($2 = '' OR s.team_id = $2)
		ORDER BY s.metric, s.team_id COLLATE "C", l.line, l.rep_id COLLATE "C"`, f.Period, f.TeamID)
	if err != nil {
		return fmt.Errorf("export attainment: %w", err)
	}
	var r export.AttainmentRow
	_, err = pgx.ForEachRow(rows, []any{&r.Period, &r.Start, &r.End, &r.Timezone, &r.Metric, &r.TeamID,
		&r.RepID, &r.Name, &r.Target, &r.Derived, &r.Value}, func() error { return fn(&r) })
	if err != nil {
		return fmt.Errorf("export attainment: %w", err)
	}
	return nil
}
