package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/history"
	"bullpen/internal/standings"
)

// boardOrder is the order of a board, the same as in Redis and at finalization: in a race the
// finishers first, in finishing order; then score, who reached it first, and the id bytewise.
const boardOrder = `finished_at ASC NULLS LAST, score DESC, reached_at ASC, entrant COLLATE "C" ASC`

var readOnly = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// ContestBoards returns a page of a contest's boards, newest period first, each with its size,
// its first rows (history.RowsNeeded), when it became final and the prizes the ledger paid for
// it, all from one snapshot.
func (db *DB) ContestBoards(ctx context.Context, k *contest.Contest, limit, offset int) ([]history.Board, error) {
	var boards []history.Board
	err := db.tx(ctx, readOnly, "read the boards of contest "+k.ID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT s.period_key, count(*), f.finalized_at FROM standings s
			LEFT JOIN finals f ON f.contest_id = s.contest_id AND f.period_key = s.period_key
			WHERE s.contest_id = $1 GROUP BY s.period_key, f.finalized_at
			ORDER BY s.period_key DESC LIMIT $2 OFFSET $3`, k.ID, limit, offset)
		if err != nil {
			return fmt.Errorf("list boards: %w", err)
		}
		boards, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (history.Board, error) {
			var b history.Board
			err := r.Scan(&b.Key, &b.Total, &b.FinalizedAt)
			b.FinalizedAt = utcPtr(b.FinalizedAt)
			return b, err
		})
		if err != nil {
			return fmt.Errorf("list boards: %w", err)
		}
		if len(boards) == 0 {
			return nil
		}
		byKey := make(map[string]*history.Board, len(boards))
		keys := make([]string, len(boards))
		for i := range boards {
			byKey[boards[i].Key], keys[i] = &boards[i], boards[i].Key
		}
		if err := firstRows(ctx, tx, k, keys, byKey); err != nil {
			return err
		}
		return prizesPaid(ctx, tx, k.ID, keys, byKey)
	})
	if err != nil {
		return nil, err
	}
	return boards, nil
}

func firstRows(ctx context.Context, tx pgx.Tx, k *contest.Contest, keys []string, byKey map[string]*history.Board) error {
	rows, err := tx.Query(ctx, `SELECT period_key, pos, entrant, score, reached_at, finished_at FROM (
			SELECT period_key, entrant, score, reached_at, finished_at,
				row_number() OVER (PARTITION BY period_key ORDER BY `+boardOrder+`) - 1 AS pos
			FROM standings WHERE contest_id = $1 AND period_key = ANY($2)) b
		WHERE pos < $3 ORDER BY period_key, pos`, k.ID, keys, history.RowsNeeded(k))
	if err != nil {
		return fmt.Errorf("read the first rows of the boards: %w", err)
	}
	var key string
	var r standings.Row
	_, err = pgx.ForEachRow(rows, []any{&key, &r.Position, &r.Entrant, &r.Score, &r.ReachedAt, &r.FinishedAt}, func() error {
		r.ReachedAt, r.FinishedAt = r.ReachedAt.UTC(), utcPtr(r.FinishedAt)
		byKey[key].Rows = append(byKey[key].Rows, r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the first rows of the boards: %w", err)
	}
	return nil
}

func prizesPaid(ctx context.Context, tx pgx.Tx, contestID string, keys []string, byKey map[string]*history.Board) error {
	rows, err := tx.Query(ctx, `SELECT period_key, rep_id, points FROM ledger
		WHERE reason = 'prize' AND contest_id = $1 AND period_key = ANY($2)
		ORDER BY period_key, points DESC, rep_id COLLATE "C"`, contestID, keys)
	if err != nil {
		return fmt.Errorf("read the prizes paid: %w", err)
	}
	var key string
	var p history.Paid
	_, err = pgx.ForEachRow(rows, []any{&key, &p.RepID, &p.Points}, func() error {
		byKey[key].Paid = append(byKey[key].Paid, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the prizes paid: %w", err)
	}
	return nil
}

// repPlacingsQuery finds a rep's rows ($1) and, in team scope, its team's ($2, empty for none)
// through the standings_entrant index (migration 011), then ranks the boards they are on.
const repPlacingsQuery = `WITH mine AS (
		SELECT s.contest_id, s.period_key, s.entrant,
			row_number() OVER (PARTITION BY s.contest_id ORDER BY s.period_key DESC) AS n
		FROM standings s JOIN contests c ON c.id = s.contest_id
		WHERE (c.scope = 'rep' AND s.entrant = $1) OR (c.scope = 'team' AND $2 <> '' AND s.entrant = $2)
	), wanted AS (SELECT contest_id, period_key, entrant FROM mine WHERE n <= $3),
	ranked AS (
		SELECT contest_id, period_key, entrant, score,
			row_number() OVER (PARTITION BY contest_id, period_key ORDER BY ` + boardOrder + `) AS rank,
			count(*) OVER (PARTITION BY contest_id, period_key) AS total
		FROM standings WHERE (contest_id, period_key) IN (SELECT contest_id, period_key FROM wanted))
	SELECT r.contest_id::text, r.period_key, r.entrant, r.rank, r.total, r.score, f.finalized_at
	FROM ranked r JOIN wanted w USING (contest_id, period_key, entrant)
	LEFT JOIN finals f ON f.contest_id = r.contest_id AND f.period_key = r.period_key
	ORDER BY r.contest_id, r.period_key DESC`

// RepPlacings returns where a rep (in team scope, its current team) stood on the last `periods`
// boards of every contest it has a row in, each contest's newest period first, with the
// contests themselves.
func (db *DB) RepPlacings(ctx context.Context, rep bullpen.Rep, periods int) ([]history.Placing, map[string]*contest.Contest, error) {
	var placings []history.Placing
	contests := map[string]*contest.Contest{}
	err := db.tx(ctx, readOnly, "read the history of rep "+rep.RepID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, repPlacingsQuery, rep.RepID, rep.TeamID, periods)
		if err != nil {
			return fmt.Errorf("read placings: %w", err)
		}
		var p history.Placing
		var fin *time.Time
		ids := []string{}
		_, err = pgx.ForEachRow(rows, []any{&p.ContestID, &p.Key, &p.Entrant, &p.Rank, &p.Total, &p.Score, &fin}, func() error {
			p.FinalizedAt = utcPtr(fin)
			if len(placings) == 0 || placings[len(placings)-1].ContestID != p.ContestID {
				ids = append(ids, p.ContestID)
			}
			placings = append(placings, p)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read placings: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, `SELECT `+contestColumns+` FROM contests WHERE id = ANY($1::uuid[])`, ids)
		if err != nil {
			return fmt.Errorf("read contests: %w", err)
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*contest.Contest, error) { return scanContest(r) })
		if err != nil {
			return fmt.Errorf("read contests: %w", err)
		}
		for _, k := range list {
			contests[k.ID] = k
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return placings, contests, nil
}
