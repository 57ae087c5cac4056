package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"time"

	"bullpen/internal/bullpen"
)

// TokenStore is the ledger's side of the token use-cases.
type TokenStore interface {
	// CreateToken stores a new token by its secret's hash, with its audit record.
	CreateToken(ctx context.Context, t *bullpen.Token, hash []byte) error
	// RevokeToken locks the token, asks decide, and revokes it with its audit record if told to.
	RevokeToken(ctx context.Context, id, by string, decide func(bullpen.Token) (bool, error)) error
	// RotateToken locks the token, asks decide for it as rotated, and stores that with hash as
	// its secret's and the old secret as the replaced one, with its audit record.
	RotateToken(ctx context.Context, id, by string, hash []byte, decide func(bullpen.Token) (bullpen.Token, error)) (bullpen.Token, error)
}

// TokenDeps is what the token use-cases need.
type TokenDeps struct {
	Store TokenStore
	Now   func() time.Time // default time.Now
}

// Tokens mints, rotates and revokes API tokens.
type Tokens struct {
	store TokenStore
	now   func() time.Time
}

// NewTokens builds the token use-cases.
func NewTokens(d TokenDeps) *Tokens {
	now, _ := orDefaults(d.Now, nil)
	return &Tokens{store: d.Store, now: now}
}

// Mint checks and stores the token that by asks for (its role, rep id, name and expiry), and
// returns it with its secret: the only time the secret is seen, since only its hash is stored.
func (s *Tokens) Mint(ctx context.Context, by bullpen.Token, want bullpen.Token) (bullpen.Token, string, error) {
	if err := bullpen.CheckMint(by.Role, want); err != nil {
		return bullpen.Token{}, "", err
	}
	if err := bullpen.CheckExpiry(want.ExpiresAt, s.now()); err != nil {
		return bullpen.Token{}, "", err
	}
	secret := newSecret()
	t := bullpen.Token{ID: newTokenID(), Role: want.Role, RepID: want.RepID, Name: want.Name, CreatedBy: by.ID,
		ExpiresAt: stored(want.ExpiresAt), ScreenID: want.ScreenID}
	if err := s.store.CreateToken(ctx, &t, bullpen.HashSecret(secret)); err != nil {
		return bullpen.Token{}, "", err
	}
	return t, secret, nil
}

// Rotate gives token id a new secret on behalf of by, and returns the token and the secret (seen
// this once). The secret it replaces works for overlap more; expiresAt, when given, is the
// token's new expiry.
func (s *Tokens) Rotate(ctx context.Context, by bullpen.Token, id string, overlap time.Duration, expiresAt *time.Time) (bullpen.Token, string, error) {
	if id == bullpen.AdminTokenID {
		return bullpen.Token{}, "", bullpen.Errorf(bullpen.EConflict, "the bootstrap admin token is rotated by changing BULLPEN_ADMIN_TOKEN")
	}
	now, until := s.now().UTC().Truncate(time.Microsecond), stored(expiresAt)
	secret := newSecret()
	t, err := s.store.RotateToken(ctx, id, by.ID, bullpen.HashSecret(secret), func(t bullpen.Token) (bullpen.Token, error) {
		return bullpen.Rotate(by.Role, t, now, overlap, until)
	})
	if err != nil {
		return bullpen.Token{}, "", err
	}
	return t, secret, nil
}

// stored is a time as PostgreSQL keeps it (microseconds, UTC), so an answer shows what a later
// read shows.
func stored(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// Revoke revokes token id on behalf of by. Revoking a revoked token is no error, and records
// nothing more.
func (s *Tokens) Revoke(ctx context.Context, by bullpen.Token, id string) error {
	if err := bullpen.Revocable(id); err != nil {
		return err
	}
	return s.store.RevokeToken(ctx, id, by.ID, func(t bullpen.Token) (bool, error) { return bullpen.CheckRevoke(by.Role, t) })
}

// newSecret returns a token's secret: 32 random bytes, recognisable by its prefix in a leak scan.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "bp_" + base64.RawURLEncoding.EncodeToString(b)
}

func newTokenID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "tok_" + hex.EncodeToString(b)
}
