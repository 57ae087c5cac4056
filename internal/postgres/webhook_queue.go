package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
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
// outer conditions on its new row. The heads are MATERIALIZED so the planner cannot turn the
// query inside out: with a backlog and statistics behind it (a table grown from empty in
// seconds) it scanned every pending delivery and matched each against the heads (380 ms a
// claim at 48,000 queued, by EXPLAIN under load). A head is ordered by id + 0, which only the
// line index serves (migration 016): ordered by id, the primary key's walk from the oldest
// delivery, past those delivered, looked cheaper to the planner and was not.
const claimDelivery = `
	WITH heads AS MATERIALIZED (
		SELECT h.id FROM webhook_endpoints le
		CROSS JOIN LATERAL (
			SELECT id, next_attempt_at FROM webhook_deliveries
			WHERE endpoint_id = le.id AND delivered_at IS NULL AND given_up_at IS NULL
			ORDER BY id + 0 LIMIT 1) h
		WHERE le.enabled AND h.next_attempt_at <= $1)
	SELECT d.id, d.delivery_id::text, d.endpoint_id::text, d.type, d.channel, d.data::text, d.created_at,
		d.attempts, d.first_failed_at, e.url, e.secret, e.format
	FROM heads JOIN webhook_deliveries d ON d.id = heads.id JOIN webhook_endpoints e ON e.id = d.endpoint_id
	WHERE d.delivered_at IS NULL AND d.given_up_at IS NULL AND e.enabled
	ORDER BY d.next_attempt_at, d.id
	LIMIT 1
	FOR UPDATE OF d SKIP LOCKED`

// Deliver claims a due delivery, calls send with it while holding it, and records what send
// decided, in one transaction (webhook.Queue). A delivery send could not finish because ctx
// ended is left as it was, to be sent again; one that was delivered is recorded even then.
func (db *DB) Deliver(ctx context.Context, now time.Time, send func(context.Context, webhook.Delivery) webhook.Outcome) (bool, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("claim a webhook delivery: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var d webhook.Delivery
	var data string
	err = tx.QueryRow(ctx, claimDelivery, now).Scan(&d.Seq, &d.ID, &d.EndpointID, &d.Type, &d.Channel, &data,
		&d.CreatedAt, &d.Attempts, &d.FirstFailedAt, &d.URL, &d.Secret, &d.Format)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim a webhook delivery: %w", err)
	}
	d.Data = []byte(data)
	out := send(ctx, d)
	if ctx.Err() != nil && !out.Delivered {
		return true, nil // stopping: not the receiver's failure; it is sent again
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := recordOutcome(rctx, tx, d, out); err != nil {
		return true, err
	}
	if err := tx.Commit(rctx); err != nil {
		return true, fmt.Errorf("record a webhook delivery: %w", err)
	}
	return true, nil
}

func recordOutcome(ctx context.Context, tx pgx.Tx, d webhook.Delivery, out webhook.Outcome) error {
	b := &pgx.Batch{}
	switch {
	case out.Delivered:
		b.Queue(`UPDATE webhook_deliveries SET attempts = attempts + 1, delivered_at = $2, last_error = NULL
			WHERE id = $1`, d.Seq, out.At)
	case out.GaveUp:
		b.Queue(`UPDATE webhook_deliveries SET attempts = attempts + 1, given_up_at = $2, last_error = $3,
			first_failed_at = coalesce(first_failed_at, $2) WHERE id = $1`, d.Seq, out.At, out.Error)
	default:
		b.Queue(`UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3,
			first_failed_at = coalesce(first_failed_at, $4) WHERE id = $1`, d.Seq, out.NextAttempt, out.Error, out.At)
	}
	b.Queue(`INSERT INTO webhook_attempts (endpoint_id, delivery_id, type, attempt, at, status, latency_ms, error,
			next_attempt_at, gave_up) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.EndpointID, d.ID, d.Type, out.Attempt.Attempt, out.At, out.Status, out.LatencyMS, out.Error, out.NextAttempt, out.GaveUp)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("record a webhook delivery: %w", err)
	}
	if out.GaveUp {
		return disableEndpoint(ctx, tx, d.EndpointID, out.At, out.DisableReason)
	}
	return nil
}

// disableEndpoint turns off an endpoint that failed for too long, with an audit record by the
// service itself.
func disableEndpoint(ctx context.Context, tx pgx.Tx, id string, at time.Time, reason string) error {
	tag, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET enabled = false, disabled_at = $2, disabled_reason = $3,
		updated_at = $2 WHERE id = $1 AND enabled`, id, at, reason)
	if err != nil {
		return fmt.Errorf("disable webhook %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	before, after, err := audit.Changed(audit.Fields{"enabled": jsonTrue}, disabledFields(reason))
	if err != nil {
		return err
	}
	return Record(ctx, tx, audit.Change{By: bullpen.SystemActor, Action: "webhook.disable", Subject: id, Before: before, After: after})
}

// PruneWebhooks removes deliveries delivered or given up before then, the log's attempts made before then,
// and the endpoints deleted before then with all they had (webhook.Queue).
func (db *DB) PruneWebhooks(ctx context.Context, before time.Time) error {
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM webhook_deliveries WHERE delivered_at < $1 OR given_up_at < $1`, before)
	b.Queue(`DELETE FROM webhook_attempts WHERE at < $1`, before)
	b.Queue(`DELETE FROM webhook_endpoints WHERE deleted_at < $1`, before)
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("prune webhooks: %w", err)
	}
	return nil
}
