package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/message"
)

// insertNotices queues messages for the live channels inside tx: they are published only once
// tx has committed. Those of a type webhooks subscribe to are queued for the endpoints that
// subscribe to them too (enqueueWebhooks), in the same transaction.
func insertNotices(ctx context.Context, tx pgx.Tx, notices []bullpen.Notice) error {
	if len(notices) == 0 {
		return nil
	}
	queued := make([]bullpen.Queued, len(notices))
	for i, n := range notices {
		q, err := message.Encode(n)
		if err != nil {
			return fmt.Errorf("queue notices: %w", err)
		}
		queued[i] = q
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"outbox"}, []string{"channel", "type", "data"},
		pgx.CopyFromSlice(len(queued), func(i int) ([]any, error) {
			return []any{queued[i].Channel, queued[i].Type, string(queued[i].Data)}, nil
		}))
	if err != nil {
		return fmt.Errorf("queue notices: %w", err)
	}
	return enqueueWebhooks(ctx, tx, queued)
}

// outboxLock lets one publisher at a time drain the outbox, so a channel's messages go out in
// the order they were written.
const outboxLock = 7_317_002

// DrainOutbox hands up to limit queued notices, oldest first, to publish and deletes those it
// published, in one transaction; it returns how many. When another process is draining, it
// does nothing. A crash after publishing and before the commit publishes them again: at least
// once, in order.
//
// It is on every live message's way to the screens, so it takes two round trips to the
// database rather than one per statement: one to open the transaction, take the lock and read
// the page, one to delete what was published and commit.
func (db *DB) DrainOutbox(ctx context.Context, limit int, publish func([]bullpen.Queued) error) (int, error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("drain outbox: %w", err)
	}
	// A connection left in the transaction by an error on the way is closed by the pool on
	// release, not reused: its transaction, and the lock, end with it.
	defer conn.Release()

	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	// The delivery is at least once already (a crash between publishing and committing
	// publishes again), so the delete need not wait for its flush to disk: a database crash in
	// that moment only repeats a page. It saves a disk flush per page.
	b.Queue(`SET LOCAL synchronous_commit = off`)
	// The page only if the lock is ours (the sub-select runs once, before the scan).
	b.Queue(`SELECT id, channel, type, data FROM outbox WHERE (SELECT pg_try_advisory_xact_lock($1))
		ORDER BY id LIMIT $2`, outboxLock, limit)
	br := conn.SendBatch(ctx, b)
	var queued []bullpen.Queued
	for range 2 {
		if _, err = br.Exec(); err != nil {
			break
		}
	}
	if err == nil {
		var rows pgx.Rows
		if rows, err = br.Query(); err == nil {
			queued, err = pgx.CollectRows(rows, pgx.RowToStructByPos[bullpen.Queued])
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("drain outbox: %w", err)
	}
	if len(queued) == 0 {
		if _, err := conn.Exec(ctx, `COMMIT`); err != nil {
			return 0, fmt.Errorf("drain outbox: %w", err)
		}
		return 0, nil
	}
	if err := publish(queued); err != nil {
		_, _ = conn.Exec(ctx, `ROLLBACK`)
		return 0, err
	}
	ids := make([]int64, len(queued))
	for i, q := range queued {
		ids[i] = q.ID
	}
	b = &pgx.Batch{}
	// The ids published, not a range: a row with a smaller id may commit later.
	b.Queue(`DELETE FROM outbox WHERE id = ANY($1)`, ids)
	b.Queue(`COMMIT`)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("drain outbox: delete what was published: %w", err)
	}
	return len(queued), nil
}
