package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/screen"
)

// Pairings by code (013_screens.sql): kept in PostgreSQL, by the hashes of their code and
// secret, so the token a claimed pairing hands over is minted in the same transaction that
// deletes it: handed over once, never stored as a secret, never lost with Redis.

// ErrCodeTaken is a new pairing's code already held by a live pairing: draw another.
var ErrCodeTaken = errors.New("pairing code taken")

// CreatePairing stores a new pending pairing, first deleting the pairings expired by now.
func (db *DB) CreatePairing(ctx context.Context, p screen.Pairing, now time.Time) error {
	return db.tx(ctx, pgx.TxOptions{}, "create pairing", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM pairings WHERE expires_at <= $1`, now); err != nil {
			return fmt.Errorf("delete expired pairings: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO pairings (secret_hash, code_hash, expires_at) VALUES ($1, $2, $3)`,
			p.SecretHash, p.CodeHash, p.ExpiresAt)
		if sqlState(err) == "23505" {
			return ErrCodeTaken
		}
		if err != nil {
			return fmt.Errorf("insert pairing: %w", err)
		}
		return nil
	})
}

var errNoPairing = bullpen.Errorf(bullpen.ENotFound, "no display waits with this code: it may have expired or been claimed (the display shows a new one)")

// ClaimPairing claims the pending pairing of code hash for a screen, naming the token the display
// will be given (c.TokenID, c.TokenName) and who claimed it (c.ClaimedBy), with its audit record.
// A code no live pending pairing has is not found; a screen that does not exist, 400 naming
// screen_id. It returns the pairing as claimed.
func (db *DB) ClaimPairing(ctx context.Context, codeHash []byte, now time.Time, c screen.Pairing) (screen.Pairing, error) {
	out := c
	err := db.tx(ctx, pgx.TxOptions{}, "claim pairing", func(tx pgx.Tx) error {
		if _, err := getScreen(ctx, tx, c.ScreenID, " FOR SHARE"); bullpen.ErrorCode(err) == bullpen.ENotFound {
			return noScreen(c.ScreenID)
		} else if err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `UPDATE pairings SET screen_id = $3, token_id = $4, token_name = $5, claimed_by = $6, claimed_at = $2
			WHERE code_hash = $1 AND expires_at > $2 AND claimed_at IS NULL RETURNING expires_at, claimed_at`,
			codeHash, now, c.ScreenID, c.TokenID, c.TokenName, c.ClaimedBy).Scan(&out.ExpiresAt, &out.ClaimedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoPairing
		}
		if err != nil {
			return fmt.Errorf("claim pairing: %w", err)
		}
		out.ExpiresAt, out.ClaimedAt = out.ExpiresAt.UTC(), utcPtr(out.ClaimedAt)
		after, err := audit.Whole(struct {
			TokenID string `json:"token_id"`
			Name    string `json:"name"`
		}{c.TokenID, c.TokenName})
		if err != nil {
			return err
		}
		return Record(ctx, tx, audit.Change{By: c.ClaimedBy, Action: "screen.pair", Subject: c.ScreenID, After: after})
	})
	return out, err
}

// CollectPairing is a display's poll with its pairing's secret. A live pending pairing answers
// as it is; a claimed one is deleted and its display token minted, by the hash of the secret
// the display will be given (tokenHash), with its audit record (made by whoever claimed it).
// A secret no live pairing has is not found.
func (db *DB) CollectPairing(ctx context.Context, secretHash []byte, now time.Time, tokenHash []byte) (screen.Pairing, *bullpen.Token, error) {
	var p screen.Pairing
	var tok *bullpen.Token
	err := db.tx(ctx, pgx.TxOptions{}, "collect pairing", func(tx pgx.Tx) error {
		var screenID, tokenID, tokenName, claimedBy *string
		err := tx.QueryRow(ctx, `SELECT expires_at, screen_id::text, token_id, token_name, claimed_by, claimed_at
			FROM pairings WHERE secret_hash = $1 AND expires_at > $2 FOR UPDATE`, secretHash, now).
			Scan(&p.ExpiresAt, &screenID, &tokenID, &tokenName, &claimedBy, &p.ClaimedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return bullpen.Errorf(bullpen.ENotFound, "no such pairing: it expired or its token was handed over")
		}
		if err != nil {
			return fmt.Errorf("read pairing: %w", err)
		}
		p.ExpiresAt = p.ExpiresAt.UTC()
		if p.ClaimedAt == nil || screenID == nil {
			return nil // pending
		}
		p.ScreenID, p.TokenID, p.TokenName, p.ClaimedBy = *screenID, deref(tokenID), deref(tokenName), deref(claimedBy)
		if _, err := tx.Exec(ctx, `DELETE FROM pairings WHERE secret_hash = $1`, secretHash); err != nil {
			return fmt.Errorf("delete pairing: %w", err)
		}
		tok = &bullpen.Token{ID: p.TokenID, Role: bullpen.RoleDisplay, Name: p.TokenName, CreatedBy: p.ClaimedBy, ScreenID: p.ScreenID}
		if err := InsertToken(ctx, tx, tok, tokenHash); err != nil {
			return err
		}
		after, err := audit.Whole(tok)
		if err != nil {
			return err
		}
		return Record(ctx, tx, audit.Change{By: p.ClaimedBy, Action: "token.create", Subject: tok.ID, After: after})
	})
	if err != nil {
		return screen.Pairing{}, nil, err
	}
	return p, tok, nil
}
