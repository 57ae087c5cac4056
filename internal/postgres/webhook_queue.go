package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/webhook"
)

// enqueueWebhooks queues, inside the transaction that writes them to the outbox, one delivery
// of each message whose type webhooks subscribe to for every enabled endpoint that subscribes
// to it, in the messages' order (the deliveries' ids are each endpoint's order). One statement,
// sent only when the messages include such a type: with no endpoints it inserts nothing.
func enqueueWebhooks(ctx context.Context, tx pgx.Tx, queued []bullpen.Queued) error {
	var types, channels, data []string
	for _, q := range queued {
		if webhook.Sends(q.Type, q.Channel) {
			types, channels, data = append(types, q.Type), append(channels, q.Channel), append(data, string(q.Data))
		}
	}
	if len(types) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (endpoint_id, type, channel, data)
		SELECT e.id, n.type, n.channel, n.data::jsonb
		FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS n(type, channel, data, ord)
		JOIN webhook_endpoints e ON e.enabled AND n.type = ANY(e.events)
		ORDER BY n.ord, e.id`, types, channels, data)
	if err != nil {
		return fmt.Errorf("queue webhook deliveries: %w", err)
	}
	return nil
}

// claimDelivery takes the due head of line of one enabled endpoint. The heads are found first,
// each endpoint's oldest delivery not delivered or given up (one index row per endpoint), and
// only they are read by key; the outer query locks one that is due, skipping those another
// deliverer holds. A held head is skipped, never passed: the one after it is no head, so an
// endpoint's line moves one at a time. A head delivered meanwhile fails the re-check of the
// outer conditions on its new row, and so does one that failed meanwhile and waits for its
// retry (its next_attempt_at is in the outer conditions for that). The last column says
// whether anything waits behind the head (claimRun reads it only then). The heads are
// MATERIALIZED so the planner cannot turn the query inside out: with a backlog and statistics
// behind it (a table grown from empty in seconds) it scanned every pending delivery and matched
// each against the heads (380 ms a claim at 48,000 queued, by EXPLAIN under load). A head is
// ordered by id + 0, which only the line index serves (migration 016): ordered by id, the
// primary key's walk from the oldest delivery, past those delivered, looked cheaper to the
// planner and was not.
const claimDelivery = `
	WITH heads AS MATERIALIZED (
		SELECT h.id FROM webhook_endpoints le
		CROSS JOIN LATERAL (
			SELECT id, next_attempt_at FROM webhook_deliveries
			WHERE endpoint_id = le.id AND delivered_at IS NULL AND given_up_at IS NULL
			ORDER BY id + 0 LIMIT 1) h
		WHERE le.enabled AND h.next_attempt_at <= $1)
	SELECT ` + deliveryColumns + `, e.url, e.secret, e.format,
		EXISTS (SELECT FROM webhook_deliveries b WHERE b.endpoint_id = d.endpoint_id
			AND b.delivered_at IS NULL AND b.given_up_at IS NULL AND b.id + 0 > d.id)
	FROM heads JOIN webhook_deliveries d ON d.id = heads.id JOIN webhook_endpoints e ON e.id = d.endpoint_id
	WHERE d.delivered_at IS NULL AND d.given_up_at IS NULL AND d.next_attempt_at <= $1 AND e.enabled
	ORDER BY d.next_attempt_at, d.id
	LIMIT 1
	FOR UPDATE OF d SKIP LOCKED`

const deliveryColumns = `d.id, d.delivery_id::text, d.endpoint_id::text, d.type, d.channel, d.data::text, d.created_at,
	d.attempts, d.first_failed_at, d.next_attempt_at`

// lineAfter is the rest of a run: the deliveries behind a claimed head in its line, in order.
// They are not locked: the head's lock is the line's (a claim never passes a held head), and
// only the holder of a line changes its deliveries.
const lineAfter = `SELECT ` + deliveryColumns + ` FROM webhook_deliveries d
	WHERE d.endpoint_id = $1 AND d.delivered_at IS NULL AND d.given_up_at IS NULL AND d.id + 0 > $2
	ORDER BY d.id + 0 LIMIT $3`

// Deliver claims a run of one line, calls send with it while holding the line, and records the
// outcomes send returned, in one transaction with one commit (webhook.Queue). The run stops
// before the first delivery not yet due (only a head can wait for a retry, but a delivery's
// first try is due at its transaction's start, which the deliverer's clock may not have
// reached). Outcomes send did not return (it stopped at a failure, or ctx ended mid-request)
// leave their deliveries as they were, to be sent again in order; those it returned are
// recorded even when ctx has ended.
func (db *DB) Deliver(ctx context.Context, now time.Time, limit int, send func(context.Context, []webhook.Delivery) []webhook.Outcome) (int, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	run, err := claimRun(ctx, tx, now, limit)
	if err != nil || len(run) == 0 {
		return 0, err
	}
	outs := send(ctx, run)
	if len(outs) > len(run) {
		return len(run), fmt.Errorf("record webhook deliveries: %d outcomes for a run of %d", len(outs), len(run))
	}
	if len(outs) == 0 {
		return len(run), nil // stopping: nothing was tried to the end; all is sent again
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := recordOutcomes(rctx, tx, run[:len(outs)], outs); err != nil {
		return len(run), err
	}
	if err := tx.Commit(rctx); err != nil {
		return len(run), fmt.Errorf("record webhook deliveries: %w", err)
	}
	return len(run), nil
}

// claimRun locks the due head of one line and reads up to limit-1 deliveries behind it, when
// the claim saw any (one missed because it committed since is taken by the next run).
func claimRun(ctx context.Context, tx pgx.Tx, now time.Time, limit int) ([]webhook.Delivery, error) {
	var head webhook.Delivery
	var next time.Time
	var behind bool
	err := tx.QueryRow(ctx, claimDelivery, now).Scan(append(deliveryFields(&head, &next), &head.URL, &head.Secret, &head.Format, &behind)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	run := []webhook.Delivery{head}
	if limit <= 1 || !behind { // a line of one (most, below capacity): no second round trip
		return run, nil
	}
	rows, err := tx.Query(ctx, lineAfter, head.EndpointID, head.Seq, limit-1)
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d := webhook.Delivery{URL: head.URL, Secret: head.Secret, Format: head.Format}
		if err := rows.Scan(deliveryFields(&d, &next)...); err != nil {
			return nil, fmt.Errorf("claim webhook deliveries: %w", err)
		}
		if next.After(now) {
			break
		}
		run = append(run, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return run, nil
}

// deliveryFields are the scan targets of deliveryColumns (next: when the delivery is due).
func deliveryFields(d *webhook.Delivery, next *time.Time) []any {
	return []any{&d.Seq, &d.ID, &d.EndpointID, &d.Type, &d.Channel, &d.Data, &d.CreatedAt,
		&d.Attempts, &d.FirstFailedAt, next}
}
