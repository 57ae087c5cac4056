package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/webhook"
)

// recordOutcomes stores what became of each delivery of a run that was tried (run and outs
// side by side): one statement updates them all and one logs their attempts, in the run's
// order, in a single round trip; then the endpoint is disabled if the last was given up.
func recordOutcomes(ctx context.Context, tx pgx.Tx, run []webhook.Delivery, outs []webhook.Outcome) error {
	n := len(outs)
	seqs, ids, types := make([]int64, n), make([]string, n), make([]string, n)
	ats, nexts := make([]time.Time, n), make([]*time.Time, n)
	delivered, gaveUp := make([]bool, n), make([]bool, n)
	errs, statuses := make([]*string, n), make([]*int, n)
	attempts, latencies := make([]int, n), make([]int, n)
	for i, o := range outs {
		seqs[i], ids[i], types[i] = run[i].Seq, run[i].ID, run[i].Type
		ats[i], nexts[i], delivered[i], gaveUp[i] = o.At, o.NextAttempt, o.Delivered, o.GaveUp
		errs[i], statuses[i], attempts[i], latencies[i] = o.Error, o.Status, o.Attempt.Attempt, o.LatencyMS
	}
	b := &pgx.Batch{}
	// Delivered: delivered_at, the error cleared. Failed: the error, first_failed_at kept
	// or set, and given_up_at or the next attempt.
	b.Queue(`UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_error = u.error,
			delivered_at = CASE WHEN u.delivered THEN u.at END,
			given_up_at = CASE WHEN u.gave_up THEN u.at END,
			next_attempt_at = coalesce(u.next_attempt_at, d.next_attempt_at),
			first_failed_at = CASE WHEN u.delivered THEN d.first_failed_at ELSE coalesce(d.first_failed_at, u.at) END
		FROM unnest($1::bigint[], $2::timestamptz[], $3::boolean[], $4::boolean[], $5::timestamptz[], $6::text[])
			AS u(id, at, delivered, gave_up, next_attempt_at, error)
		WHERE d.id = u.id`, seqs, ats, delivered, gaveUp, nexts, errs)
	b.Queue(`INSERT INTO webhook_attempts (endpoint_id, delivery_id, type, attempt, at, status, latency_ms, error,
			next_attempt_at, gave_up)
		SELECT $1, a.delivery_id, a.type, a.attempt, a.at, a.status, a.latency_ms, a.error, a.next_attempt_at, a.gave_up
		FROM unnest($2::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::int[], $7::int[], $8::text[],
			$9::timestamptz[], $10::boolean[]) WITH ORDINALITY
			AS a(delivery_id, type, attempt, at, status, latency_ms, error, next_attempt_at, gave_up, ord)
		ORDER BY a.ord`,
		run[0].EndpointID, ids, types, attempts, ats, statuses, latencies, errs, nexts, gaveUp)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("record webhook deliveries: %w", err)
	}
	if last := outs[n-1]; last.GaveUp {
		return disableEndpoint(ctx, tx, run[n-1].EndpointID, last.At, last.DisableReason)
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
