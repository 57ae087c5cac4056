package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
)

// An idempotency key row with status 0 is pending: a request holding it is running.

// ClaimIdempotencyKey makes the caller the owner of (tokenID, key), unless a response to that key
// is already kept (younger than ttl) or a request holding it is running (and younger than
// stale, after which it is presumed dead). claimed is false with the kept row otherwise; a
// nil row means the owner just gave it up: the caller may retry.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, tokenID, key, method, path string, ttl, stale time.Duration) (bool, *bullpen.IdempotentResponse, error) {
	var claimed bool
	err := db.Pool.QueryRow(ctx, `
		INSERT INTO idempotency_keys (token_id, key, method, path, status, body)
		VALUES ($1, $2, $3, $4, 0, '')
		ON CONFLICT (token_id, key) DO UPDATE
			SET method = EXCLUDED.method, path = EXCLUDED.path, status = 0, body = '', created_at = now()
			WHERE idempotency_keys.created_at < now() - $5::interval
			   OR (idempotency_keys.status = 0 AND idempotency_keys.created_at < now() - $6::interval)
		RETURNING true`, tokenID, key, method, path, ttl, stale).Scan(&claimed)
	if err == nil {
		return true, nil, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	var r bullpen.IdempotentResponse
	err = db.Pool.QueryRow(ctx, `SELECT method, path, status, body FROM idempotency_keys
		WHERE token_id = $1 AND key = $2`, tokenID, key).Scan(&r.Method, &r.Path, &r.Status, &r.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil, nil
	}
	if err != nil {
		return false, &r, fmt.Errorf("read idempotency key: %w", err)
	}
	return false, &r, nil
}

// SaveIdempotentResponse keeps the response of a claimed key.
func (db *DB) SaveIdempotentResponse(ctx context.Context, tokenID, key string, status int, body []byte) error {
	_, err := db.Pool.Exec(ctx, `UPDATE idempotency_keys SET status = $3, body = $4
		WHERE token_id = $1 AND key = $2`, tokenID, key, status, body)
	if err != nil {
		return fmt.Errorf("save idempotent response: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed, so a retry runs again.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, tokenID, key string) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2 AND status = 0`, tokenID, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys deletes kept responses older than ttl.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, ttl time.Duration) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval`, ttl)
	if err != nil {
		return fmt.Errorf("purge idempotency keys: %w", err)
	}
	return nil
}
