package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/webhook"
)

// An endpoint as the API shows it, with what waits for it: its deliveries still to send, and
// since when the first of them has been failing. The head of its line is ordered by id + 0, as
// the claim's is (webhook_queue.go), so the line index serves it, not a walk of the primary key.
const endpointColumns = `e.id::text, e.name, e.url, e.events, e.format, e.enabled, e.disabled_at, e.disabled_reason,
	e.created_by, e.created_at, e.updated_at,
	(SELECT count(*) FROM webhook_deliveries d
		WHERE d.endpoint_id = e.id AND d.delivered_at IS NULL AND d.given_up_at IS NULL),
	(SELECT d.first_failed_at FROM webhook_deliveries d
		WHERE d.endpoint_id = e.id AND d.delivered_at IS NULL AND d.given_up_at IS NULL ORDER BY d.id + 0 LIMIT 1)`

func scanEndpoint(row pgx.Row) (webhook.Endpoint, error) {
	var e webhook.Endpoint
	err := row.Scan(&e.ID, &e.Name, &e.URL, &e.Events, &e.Format, &e.Enabled, &e.DisabledAt, &e.DisabledReason,
		&e.CreatedBy, &e.CreatedAt, &e.UpdatedAt, &e.Pending, &e.FailingSince)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	e.DisabledAt, e.FailingSince = utcPtr(e.DisabledAt), utcPtr(e.FailingSince)
	return e, err
}

func webhookNotFound(id string) error {
	return bullpen.Errorf(bullpen.ENotFound, "webhook %s not found", id)
}

// Webhook is one endpoint (not deleted). An id that is not a UUID names none.
func (db *DB) Webhook(ctx context.Context, id string) (webhook.Endpoint, error) {
	return getEndpoint(ctx, db.Pool, id, "")
}

func getEndpoint(ctx context.Context, q Querier, id, lock string) (webhook.Endpoint, error) {
	if !isID(id) {
		return webhook.Endpoint{}, webhookNotFound(id)
	}
	e, err := scanEndpoint(q.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints e
		WHERE e.id = $1 AND e.deleted_at IS NULL`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, webhookNotFound(id)
	}
	if err != nil {
		return e, fmt.Errorf("read webhook %s: %w", id, err)
	}
	return e, nil
}

// Webhooks lists the endpoints, oldest first.
func (db *DB) Webhooks(ctx context.Context, limit, offset int) ([]webhook.Endpoint, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints e
		WHERE e.deleted_at IS NULL ORDER BY e.created_at, e.id LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (webhook.Endpoint, error) { return scanEndpoint(r) })
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return items, nil
}

// WebhookAttempts is a page of an endpoint's delivery log, newest first.
func (db *DB) WebhookAttempts(ctx context.Context, id string, limit, offset int) ([]webhook.Attempt, error) {
	if _, err := db.Webhook(ctx, id); err != nil {
		return nil, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT delivery_id::text, type, attempt, at, status, latency_ms, error,
			next_attempt_at, gave_up
		FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, id, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("read the log of webhook %s: %w", id, err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (webhook.Attempt, error) {
		var a webhook.Attempt
		err := r.Scan(&a.DeliveryID, &a.Type, &a.Attempt, &a.At, &a.Status, &a.LatencyMS, &a.Error, &a.NextAttempt, &a.GaveUp)
		a.At, a.NextAttempt = a.At.UTC(), utcPtr(a.NextAttempt)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the log of webhook %s: %w", id, err)
	}
	return items, nil
}

// endpointFields are an endpoint's fields as the audit trail keeps them: what a manager sets,
// and whether it is on (never its secret).
func endpointFields(e webhook.Endpoint) (audit.Fields, error) {
	f, err := audit.Whole(struct {
		Name    string   `json:"name"`
		URL     string   `json:"url"`
		Events  []string `json:"events"`
		Format  string   `json:"format"`
		Enabled bool     `json:"enabled"`
	}{e.Name, e.URL, e.Events, e.Format, e.Enabled})
	if err != nil {
		return nil, err
	}
	if e.DisabledReason != nil {
		f["disabled_reason"], _ = json.Marshal(*e.DisabledReason)
	}
	return f, nil
}

var jsonTrue = json.RawMessage("true")

// disabledFields are the audit's fields of an endpoint turned off for reason.
func disabledFields(reason string) audit.Fields {
	f := audit.Fields{"enabled": json.RawMessage("false")}
	f["disabled_reason"], _ = json.Marshal(reason)
	return f
}

// CreateWebhook stores a new endpoint with its secret and its audit record, and fills in its
// id and times.
func (db *DB) CreateWebhook(ctx context.Context, e *webhook.Endpoint, secret string) error {
	return db.tx(ctx, pgx.TxOptions{}, "create webhook", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO webhook_endpoints (name, url, events, format, secret, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text, created_at, updated_at`,
			e.Name, e.URL, e.Events, e.Format, secret, e.CreatedBy).Scan(&e.ID, &e.CreatedAt, &e.UpdatedAt); err != nil {
			return fmt.Errorf("insert webhook: %w", err)
		}
		e.CreatedAt, e.UpdatedAt, e.Enabled = e.CreatedAt.UTC(), e.UpdatedAt.UTC(), true
		after, err := endpointFields(*e)
		if err != nil {
			return err
		}
		return Record(ctx, tx, audit.Change{By: e.CreatedBy, Action: "webhook.create", Subject: e.ID, After: after})
	})
}

// ChangeWebhook locks an endpoint, asks decide for it as changed, and stores that with its
// audit record (nothing when nothing changed). The lock (FOR NO KEY UPDATE) leaves the
// batches that queue deliveries for it free to go on.
func (db *DB) ChangeWebhook(ctx context.Context, id, by string, decide func(webhook.Endpoint) (webhook.Endpoint, error)) (webhook.Endpoint, error) {
	var out webhook.Endpoint
	err := db.tx(ctx, pgx.TxOptions{}, "change webhook "+id, func(tx pgx.Tx) error {
		e, err := getEndpoint(ctx, tx, id, " FOR NO KEY UPDATE OF e")
		if err != nil {
			return err
		}
		next, err := decide(e)
		if err != nil {
			return err
		}
		bf, err := endpointFields(e)
		if err != nil {
			return err
		}
		af, err := endpointFields(next)
		if err != nil {
			return err
		}
		before, after, err := audit.Changed(bf, af)
		if err != nil || before == nil {
			out = e
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET name = $2, url = $3, events = $4, format = $5,
				enabled = $6, disabled_at = $7, disabled_reason = $8, updated_at = now() WHERE id = $1`,
			id, next.Name, next.URL, next.Events, next.Format, next.Enabled, next.DisabledAt, next.DisabledReason); err != nil {
			return fmt.Errorf("update webhook %s: %w", id, err)
		}
		if err := Record(ctx, tx, audit.Change{By: by, Action: "webhook.update", Subject: id, Before: before, After: after}); err != nil {
			return err
		}
		out, err = getEndpoint(ctx, tx, id, "")
		return err
	})
	return out, err
}

// RotateWebhookSecret gives an endpoint a new secret, with an audit record (without it).
func (db *DB) RotateWebhookSecret(ctx context.Context, id, by, secret string) (webhook.Endpoint, error) {
	var out webhook.Endpoint
	err := db.tx(ctx, pgx.TxOptions{}, "rotate the secret of webhook "+id, func(tx pgx.Tx) error {
		if !isID(id) {
			return webhookNotFound(id)
		}
		tag, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET secret = $2, updated_at = now()
			WHERE id = $1 AND deleted_at IS NULL`, id, secret)
		if err != nil {
			return fmt.Errorf("rotate the secret of webhook %s: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return webhookNotFound(id)
		}
		if err := Record(ctx, tx, audit.Change{By: by, Action: "webhook.rotate", Subject: id}); err != nil {
			return err
		}
		out, err = getEndpoint(ctx, tx, id, "")
		return err
	})
	return out, err
}

// DeleteWebhook removes an endpoint (it stays, disabled and out of sight, until pruned; what
// was queued for it is never sent), with its audit record.
func (db *DB) DeleteWebhook(ctx context.Context, id, by string) error {
	return db.tx(ctx, pgx.TxOptions{}, "delete webhook "+id, func(tx pgx.Tx) error {
		e, err := getEndpoint(ctx, tx, id, " FOR NO KEY UPDATE OF e")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET enabled = false, deleted_at = now(), updated_at = now()
			WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete webhook %s: %w", id, err)
		}
		before, err := endpointFields(e)
		if err != nil {
			return err
		}
		return Record(ctx, tx, audit.Change{By: by, Action: "webhook.delete", Subject: id, Before: before})
	})
}

// QueueWebhookTest queues a test delivery for an enabled endpoint, behind what it has queued
// already, and returns its delivery id.
func (db *DB) QueueWebhookTest(ctx context.Context, id string, data []byte) (string, error) {
	if !isID(id) {
		return "", webhookNotFound(id)
	}
	var deliveryID *string
	var enabled bool
	err := db.Pool.QueryRow(ctx, `WITH e AS (SELECT id, enabled FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NULL),
		ins AS (INSERT INTO webhook_deliveries (endpoint_id, type, channel, data)
			SELECT id, $2, '', $3::jsonb FROM e WHERE enabled RETURNING delivery_id::text)
		SELECT (SELECT delivery_id FROM ins), e.enabled FROM e`, id, webhook.EventTest, string(data)).Scan(&deliveryID, &enabled)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", webhookNotFound(id)
	}
	if err != nil {
		return "", fmt.Errorf("queue a test for webhook %s: %w", id, err)
	}
	if !enabled {
		return "", bullpen.Errorf(bullpen.EConflict, "webhook %s is disabled: enable it first", id)
	}
	return *deliveryID, nil
}
