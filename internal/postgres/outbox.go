package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
)

// insertNotices queues messages for the live channels inside tx: they are published only once
// tx has committed.
func insertNotices(ctx context.Context, tx pgx.Tx, notices []bullpen.Notice) error {
	if len(notices) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"outbox"}, []string{"channel", "type", "data"},
		pgx.CopyFromSlice(len(notices), func(i int) ([]any, error) {
			data, err := json.Marshal(notices[i].Data)
			return []any{notices[i].Channel, notices[i].Type, string(data)}, err
		}))
	if err != nil {
		return fmt.Errorf("queue notices: %w", err)
	}
	return nil
}

// outboxLock lets one publisher at a time drain the outbox, so a channel's messages go out in
// the order they were written.
const outboxLock = 7_317_002

// DrainOutbox hands up to limit queued notices, oldest first, to publish and deletes those it
// published, in one transaction; it returns how many. When another process is draining, it
// does nothing. A crash after publishing and before the commit publishes them again: at least
// once, in order.
func (db *DB) DrainOutbox(ctx context.Context, limit int, publish func([]bullpen.Queued) error) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		n = 0
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, outboxLock).Scan(&mine); err != nil || !mine {
			return err
		}
		// The delivery is at least once already (a crash between publishing and committing
		// publishes again), so the delete need not wait for its flush to disk: a database
		// crash in that moment only repeats a page. It saves a disk flush per page.
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, channel, type, data FROM outbox ORDER BY id LIMIT $1`, limit)
		if err != nil {
			return err
		}
		queued, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bullpen.Queued])
		if err != nil {
			return err
		}
		if len(queued) == 0 {
			return nil
		}
		if err := publish(queued); err != nil {
			return err
		}
		ids := make([]int64, len(queued))
		for i, q := range queued {
			ids[i] = q.ID
		}
		// The ids published, not a range: a row with a smaller id may commit later.
		if _, err := tx.Exec(ctx, `DELETE FROM outbox WHERE id = ANY($1)`, ids); err != nil {
			return err
		}
		n = len(queued)
		return nil
	})
	return n, err
}
