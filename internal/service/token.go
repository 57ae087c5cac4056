package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"

	"bullpen/internal/bullpen"
)

// TokenStore is the ledger's side of the token use-cases.
type TokenStore interface {
	// CreateToken stores a new token by its secret's hash, with its audit record.
	CreateToken(ctx context.Context, t *bullpen.Token, hash []byte) error
	// RevokeToken locks the token, asks decide, and revokes it with its audit record if told to.
	RevokeToken(ctx context.Context, id, by string, decide func(bullpen.Token) (bool, error)) error
}

// TokenDeps is what the token use-cases need.
type TokenDeps struct {
	Store TokenStore
}

// Tokens mints and revokes API tokens.
type Tokens struct {
	store TokenStore
}

// NewTokens builds the token use-cases.
func NewTokens(d TokenDeps) *Tokens { return &Tokens{store: d.Store} }

// Mint checks and stores the token that by asks for (its role, rep id and name), and returns it
// with its secret: the only time the secret is seen, since only its hash is stored.
func (s *Tokens) Mint(ctx context.Context, by bullpen.Token, want bullpen.Token) (bullpen.Token, string, error) {
	if err := bullpen.CheckMint(by.Role, want); err != nil {
		return bullpen.Token{}, "", err
	}
	secret := newSecret()
	t := bullpen.Token{ID: newTokenID(), Role: want.Role, RepID: want.RepID, Name: want.Name, CreatedBy: by.ID}
	if err := s.store.CreateToken(ctx, &t, bullpen.HashSecret(secret)); err != nil {
		return bullpen.Token{}, "", err
	}
	return t, secret, nil
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
