package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
)

const tokenColumns = `id, role, coalesce(rep_id, ''), name, created_by, created_at, last_used_at, revoked_at,
	expires_at, rotated_at, previous_until, coalesce(screen_id::text, '')`

// scanToken reads tokenColumns, then the row's further columns into more.
func scanToken(row pgx.Row, more ...any) (bullpen.Token, error) {
	var t bullpen.Token
	var role string
	err := row.Scan(append([]any{&t.ID, &role, &t.RepID, &t.Name, &t.CreatedBy, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt,
		&t.ExpiresAt, &t.RotatedAt, &t.PreviousUntil, &t.ScreenID}, more...)...)
	t.Role = bullpen.Role(role)
	t.CreatedAt = t.CreatedAt.UTC()
	for _, p := range []**time.Time{&t.LastUsedAt, &t.RevokedAt, &t.ExpiresAt, &t.RotatedAt, &t.PreviousUntil} {
		*p = utcPtr(*p)
	}
	return t, err
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// InsertToken stores a new token by the hash of its secret; CreatedAt is filled in. A screen
// that does not exist is 400 naming screen_id.
func InsertToken(ctx context.Context, q Querier, t *bullpen.Token, hash []byte) error {
	if t.ScreenID != "" && !isID(t.ScreenID) {
		return noScreen(t.ScreenID)
	}
	err := q.QueryRow(ctx, `
		INSERT INTO tokens (id, hash, role, rep_id, name, created_by, expires_at, screen_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid) RETURNING created_at`,
		t.ID, hash, string(t.Role), nullString(t.RepID), t.Name, t.CreatedBy, t.ExpiresAt, nullString(t.ScreenID)).Scan(&t.CreatedAt)
	if sqlState(err) == "23503" { // the screen's foreign key
		return noScreen(t.ScreenID)
	}
	if err != nil {
		return fmt.Errorf("insert token %s: %w", t.ID, err)
	}
	return nil
}

func noScreen(id string) error {
	return bullpen.Invalid("screen_id", "there is no screen %q", id)
}

// TokenByHash returns the unrevoked token whose secret, or whose secret replaced by its last
// rotation, hashes to hash, with SecretUntil and Replaced saying which and until when it works.
// Whether it still works now is the caller's to decide, by its own clock.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (bullpen.Token, error) {
	var replaced bool
	t, err := scanToken(db.Pool.QueryRow(ctx, `SELECT `+tokenColumns+`, hash <> $1 FROM tokens
		WHERE (hash = $1 OR previous_hash = $1) AND revoked_at IS NULL`, hash), &replaced)
	t.Replaced, t.SecretUntil = replaced, bullpen.SecretUntil(t, replaced)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, bullpen.Errorf(bullpen.EUnauthenticated, "unknown or revoked token")
	}
	if err != nil {
		return t, fmt.Errorf("read token: %w", err)
	}
	return t, nil
}

// TouchTokens records that the tokens were used at about now, in one statement. Callers
// throttle and gather them, since exact times are not worth a write per request. The write
// does not wait for its WAL to reach the disk (synchronous_commit off for this transaction
// alone): a crash may forget the last moments tokens were used, never a change that matters.
// The four statements go in one round trip.
func (db *DB) TouchTokens(ctx context.Context, ids []string) error {
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`SET LOCAL synchronous_commit = off`)
	b.Queue(`UPDATE tokens SET last_used_at = now() WHERE id = ANY($1)`, ids)
	b.Queue(`COMMIT`)
	if err := db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("touch %d tokens: %w", len(ids), err)
	}
	return nil
}

// Tokens lists tokens, newest first.
func (db *DB) Tokens(ctx context.Context, limit, offset int) ([]bullpen.Token, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens
		ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []bullpen.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// CreateToken stores a new token by the hash of its secret, with its audit record, and fills
// in CreatedAt.
func (db *DB) CreateToken(ctx context.Context, t *bullpen.Token, hash []byte) error {
	return db.tx(ctx, pgx.TxOptions{}, "create token "+t.ID, func(tx pgx.Tx) error {
		if err := InsertToken(ctx, tx, t, hash); err != nil {
			return err
		}
		after, err := audit.Whole(t)
		if err != nil {
			return err
		}
		return Record(ctx, tx, audit.Change{By: t.CreatedBy, Action: "token.create", Subject: t.ID, After: after})
	})
}

// RevokeToken locks a token and asks decide whether to revoke it (an error refuses): so two
// revocations at once record one change. by is the token revoking it.
func (db *DB) RevokeToken(ctx context.Context, id, by string, decide func(bullpen.Token) (bool, error)) error {
	return db.tx(ctx, pgx.TxOptions{}, "revoke token "+id, func(tx pgx.Tx) error {
		t, err := tokenForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		revoke, err := decide(t)
		if err != nil || !revoke {
			return err
		}
		if _, err := revokeToken(ctx, tx, id, by); err != nil {
			return err
		}
		before, err := audit.Whole(t)
		if err != nil {
			return err
		}
		return Record(ctx, tx, audit.Change{By: by, Action: "token.revoke", Subject: id, Before: before})
	})
}

// RotateToken locks a token, asks decide for it as rotated (an error refuses), and stores
// that with hash as its secret's: the secret it had becomes the replaced one, working until the
// rotated token's PreviousUntil. by is the token rotating it.
func (db *DB) RotateToken(ctx context.Context, id, by string, hash []byte, decide func(bullpen.Token) (bullpen.Token, error)) (bullpen.Token, error) {
	var r bullpen.Token
	err := db.tx(ctx, pgx.TxOptions{}, "rotate token "+id, func(tx pgx.Tx) error {
		t, err := tokenForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if r, err = decide(t); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tokens SET previous_hash = hash, hash = $2, previous_until = $3,
			rotated_at = $4, expires_at = $5 WHERE id = $1`, id, hash, r.PreviousUntil, r.RotatedAt, r.ExpiresAt); err != nil {
			return fmt.Errorf("rotate token %s: %w", id, err)
		}
		// The rotated token whole stays the detail, as it was before the trail kept fields.
		rec := audit.Change{By: by, Action: "token.rotate", Subject: id, Detail: r}
		before, err := audit.Whole(t)
		if err != nil {
			return err
		}
		after, err := audit.Whole(r)
		if err != nil {
			return err
		}
		if rec.Before, rec.After, err = audit.Changed(before, after); err != nil {
			return err
		}
		return Record(ctx, tx, rec)
	})
	return r, err
}

// tokenForUpdate returns a token and locks it until tx ends.
func tokenForUpdate(ctx context.Context, tx pgx.Tx, id string) (bullpen.Token, error) {
	t, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, bullpen.Errorf(bullpen.ENotFound, "token %s not found", id)
	}
	if err != nil {
		return t, fmt.Errorf("lock token %s: %w", id, err)
	}
	return t, nil
}

// revokeToken revokes a token (a no-op for one already revoked) and returns its revocation time.
func revokeToken(ctx context.Context, q Querier, id, by string) (time.Time, error) {
	var at time.Time
	err := q.QueryRow(ctx, `
		UPDATE tokens SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2)
		WHERE id = $1 RETURNING revoked_at`, id, by).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return at, bullpen.Errorf(bullpen.ENotFound, "token %s not found", id)
	}
	if err != nil {
		return at.UTC(), fmt.Errorf("revoke token %s: %w", id, err)
	}
	return at.UTC(), nil
}

// TokenChanges returns the number of the last change of a token and the ids of the tokens
// changed after since (migration 020), each once; complete is false when the log no longer
// holds every change after since (it keeps a day), or the count went back (another database):
// the caller can trust nothing it read before.
func (db *DB) TokenChanges(ctx context.Context, since int64) (last int64, ids []string, complete bool, err error) {
	rows, err := db.Pool.Query(ctx, `SELECT s.n, c.n, c.token_id FROM token_changes_seen s
		LEFT JOIN token_changes c ON c.n > $1 ORDER BY c.n`, since)
	if err != nil {
		return 0, nil, false, fmt.Errorf("read token changes: %w", err)
	}
	seen := map[string]bool{}
	var n, held int64
	var cn *int64
	var id *string
	_, err = pgx.ForEachRow(rows, []any{&n, &cn, &id}, func() error {
		last = n
		if cn == nil {
			return nil
		}
		held++
		if !seen[*id] {
			seen[*id] = true
			ids = append(ids, *id)
		}
		return nil
	})
	if err != nil {
		return 0, nil, false, fmt.Errorf("read token changes: %w", err)
	}
	// The changes are numbered without gaps: the log holds every one past since when it holds
	// last - since of them.
	complete = last >= since && held == last-since
	return last, ids, complete, nil
}

// LiveTokens calls fn with up to limit tokens that work now, each by its secret's hash (and
// by the replaced secret's while that works too), and returns the number of the last change
// of a token before they were read: a reader that follows TokenChanges from it misses none.
func (db *DB) LiveTokens(ctx context.Context, limit int, fn func(hash []byte, t bullpen.Token)) (int64, error) {
	var last int64
	if err := db.Pool.QueryRow(ctx, `SELECT n FROM token_changes_seen`).Scan(&last); err != nil {
		return 0, fmt.Errorf("read live tokens: %w", err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+tokenColumns+`, hash, previous_hash FROM tokens
		WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) ORDER BY last_used_at DESC NULLS LAST LIMIT $1`, limit)
	if err != nil {
		return 0, fmt.Errorf("read live tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash, previous []byte
		t, err := scanToken(rows, &hash, &previous)
		if err != nil {
			return 0, fmt.Errorf("read live tokens: %w", err)
		}
		t.SecretUntil = bullpen.SecretUntil(t, false)
		fn(hash, t)
		if previous != nil {
			r := t
			r.Replaced, r.SecretUntil = true, bullpen.SecretUntil(t, true)
			fn(previous, r)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read live tokens: %w", err)
	}
	return last, nil
}
