package service_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/service"
)

type fakeTokens struct {
	created []bullpen.Token
	hashes  [][]byte
	stored  map[string]bullpen.Token
	revoked []string
}

func (f *fakeTokens) CreateToken(_ context.Context, t *bullpen.Token, hash []byte) error {
	t.CreatedAt = now
	f.created, f.hashes = append(f.created, *t), append(f.hashes, hash)
	return nil
}

func (f *fakeTokens) RevokeToken(_ context.Context, id, by string, decide func(bullpen.Token) (bool, error)) error {
	t, ok := f.stored[id]
	if !ok {
		return bullpen.Errorf(bullpen.ENotFound, "token %s not found", id)
	}
	revoke, err := decide(t)
	if err != nil || !revoke {
		return err
	}
	f.revoked = append(f.revoked, id+" by "+by)
	return nil
}

func (f *fakeTokens) RotateToken(_ context.Context, id, by string, hash []byte, decide func(bullpen.Token) (bullpen.Token, error)) (bullpen.Token, error) {
	t, ok := f.stored[id]
	if !ok {
		return t, bullpen.Errorf(bullpen.ENotFound, "token %s not found", id)
	}
	r, err := decide(t)
	if err != nil {
		return r, err
	}
	f.stored[id], f.hashes = r, append(f.hashes, hash)
	return r, nil
}

var (
	admin   = bullpen.Token{ID: bullpen.AdminTokenID, Role: bullpen.RoleAdmin}
	manager = bullpen.Token{ID: "tok_m", Role: bullpen.RoleManager}
)

func TestMintStoresOnlyTheSecretsHash(t *testing.T) {
	store := &fakeTokens{}
	s := service.NewTokens(service.TokenDeps{Store: store})
	tok, secret, err := s.Mint(context.Background(), manager, bullpen.Token{Role: bullpen.RoleRep, RepID: "ana", Name: "Ana", CreatedBy: "forged"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "bp_") || !strings.HasPrefix(tok.ID, "tok_") {
		t.Fatalf("secret %q, id %q", secret, tok.ID)
	}
	if tok.CreatedBy != manager.ID || tok.Role != bullpen.RoleRep || tok.RepID != "ana" || tok.Name != "Ana" {
		t.Fatalf("minted %+v: made by the minting token, with the role, rep and name asked for", tok)
	}
	if len(store.hashes) != 1 || !bytes.Equal(store.hashes[0], bullpen.HashSecret(secret)) {
		t.Fatal("the stored hash is not the secret's")
	}
	_, again, _ := s.Mint(context.Background(), manager, bullpen.Token{Role: bullpen.RoleDisplay})
	if again == secret || store.created[0].ID == store.created[1].ID {
		t.Fatal("two mints share a secret or an id")
	}
}

func TestMintRefusesWithoutWriting(t *testing.T) {
	store := &fakeTokens{}
	s := service.NewTokens(service.TokenDeps{Store: store})
	_, _, err := s.Mint(context.Background(), manager, bullpen.Token{Role: bullpen.RoleManager})
	var be *bullpen.Error
	if !errors.As(err, &be) || be.Code != bullpen.EPermission {
		t.Fatalf("err %v, want permission denied", err)
	}
	if len(store.created) != 0 {
		t.Fatal("a refused token was stored")
	}
}

func TestRevoke(t *testing.T) {
	revokedAt := now.Add(-time.Hour)
	for _, tc := range []struct {
		name    string
		by      bullpen.Token
		id      string
		code    string
		revoked int
	}{
		{"a manager revokes a display", manager, "tok_d", "", 1},
		{"a revoked token records nothing more", admin, "tok_old", "", 0},
		{"a manager may not revoke a manager", manager, "tok_m2", bullpen.EPermission, 0},
		{"the bootstrap admin is a conflict", admin, bullpen.AdminTokenID, bullpen.EConflict, 0},
		{"an unknown token is not found", admin, "tok_none", bullpen.ENotFound, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeTokens{stored: map[string]bullpen.Token{
				"tok_d":   {ID: "tok_d", Role: bullpen.RoleDisplay},
				"tok_m2":  {ID: "tok_m2", Role: bullpen.RoleManager},
				"tok_old": {ID: "tok_old", Role: bullpen.RoleRep, RevokedAt: &revokedAt},
			}}
			err := service.NewTokens(service.TokenDeps{Store: store}).Revoke(context.Background(), tc.by, tc.id)
			if tc.code == "" && err != nil {
				t.Fatal(err)
			}
			var be *bullpen.Error
			if tc.code != "" && (!errors.As(err, &be) || be.Code != tc.code) {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
			if len(store.revoked) != tc.revoked {
				t.Fatalf("revoked %v, want %d", store.revoked, tc.revoked)
			}
			if tc.revoked == 1 && store.revoked[0] != tc.id+" by "+tc.by.ID {
				t.Fatalf("revoked %v: the revoking token is recorded", store.revoked)
			}
		})
	}
}

func TestMintTakesAnExpiryInTheFutureOnly(t *testing.T) {
	store := &fakeTokens{}
	s := service.NewTokens(service.TokenDeps{Store: store, Now: clock})
	at := now.Add(90 * time.Minute)
	tok, _, err := s.Mint(context.Background(), manager, bullpen.Token{Role: bullpen.RoleDisplay, ExpiresAt: &at})
	if err != nil || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(at) {
		t.Fatalf("minted %+v, %v: want expiry %s", tok, err, at)
	}
	for _, past := range []time.Time{now, now.Add(-time.Second)} {
		_, _, err := s.Mint(context.Background(), manager, bullpen.Token{Role: bullpen.RoleDisplay, ExpiresAt: &past})
		wantErr(t, err, bullpen.EInvalid)
	}
	if len(store.created) != 1 {
		t.Fatalf("stored %d tokens, want the one with a future expiry", len(store.created))
	}
}

func TestRotate(t *testing.T) {
	past, soon, later := now.Add(-time.Hour), now.Add(2*time.Hour), now.Add(30*24*time.Hour)
	for _, tc := range []struct {
		name      string
		by        bullpen.Token
		id        string
		overlap   time.Duration
		expiresAt *time.Time
		code      string
		// want: the rotated token's expiry and the end of the replaced secret's overlap
		expiry, until *time.Time
	}{
		{"a display's old secret works for the overlap", manager, "tok_d", 24 * time.Hour, nil, "", nil, ptr(now.Add(24 * time.Hour))},
		{"no overlap ends the old secret now", admin, "tok_d", 0, nil, "", nil, &now},
		{"the overlap never outlives the token", admin, "tok_soon", 24 * time.Hour, nil, "", &soon, &soon},
		{"a new expiry replaces the token's", admin, "tok_soon", time.Hour, &later, "", &later, ptr(now.Add(time.Hour))},
		{"a new expiry must be in the future", admin, "tok_d", time.Hour, &past, bullpen.EInvalid, nil, nil},
		{"a revoked token is a conflict", admin, "tok_revoked", time.Hour, nil, bullpen.EConflict, nil, nil},
		{"an expired token is a conflict", admin, "tok_expired", time.Hour, nil, bullpen.EConflict, nil, nil},
		{"a manager may not rotate a manager", manager, "tok_m2", time.Hour, nil, bullpen.EPermission, nil, nil},
		{"the bootstrap admin is a conflict", admin, bullpen.AdminTokenID, time.Hour, nil, bullpen.EConflict, nil, nil},
		{"an unknown token is not found", admin, "tok_none", time.Hour, nil, bullpen.ENotFound, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeTokens{stored: map[string]bullpen.Token{
				"tok_d":       {ID: "tok_d", Role: bullpen.RoleDisplay},
				"tok_soon":    {ID: "tok_soon", Role: bullpen.RoleRep, RepID: "ana", ExpiresAt: &soon},
				"tok_m2":      {ID: "tok_m2", Role: bullpen.RoleManager},
				"tok_revoked": {ID: "tok_revoked", Role: bullpen.RoleRep, RevokedAt: &past},
				"tok_expired": {ID: "tok_expired", Role: bullpen.RoleRep, ExpiresAt: &past},
			}}
			before := store.stored[tc.id]
			tok, secret, err := service.NewTokens(service.TokenDeps{Store: store, Now: clock}).
				Rotate(context.Background(), tc.by, tc.id, tc.overlap, tc.expiresAt)
			if tc.code != "" {
				wantErr(t, err, tc.code)
				if got := store.stored[tc.id]; len(store.hashes) != 0 || got.RotatedAt != nil || !sameTime(got.ExpiresAt, before.ExpiresAt) {
					t.Fatalf("a refused rotation wrote %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(store.hashes) != 1 || !bytes.Equal(store.hashes[0], bullpen.HashSecret(secret)) || !strings.HasPrefix(secret, "bp_") {
				t.Fatal("the stored hash is not the new secret's")
			}
			if tok.ID != tc.id || tok.Role != before.Role || tok.RepID != before.RepID || tok.RotatedAt == nil || !tok.RotatedAt.Equal(now) {
				t.Fatalf("rotated %+v: same id, role and rep, rotated now", tok)
			}
			if !sameTime(tok.ExpiresAt, tc.expiry) || !sameTime(tok.PreviousUntil, tc.until) {
				t.Fatalf("expiry %v, old secret until %v; want %v and %v", tok.ExpiresAt, tok.PreviousUntil, tc.expiry, tc.until)
			}
		})
	}
}

func wantErr(t *testing.T, err error, code string) {
	t.Helper()
	var be *bullpen.Error
	if !errors.As(err, &be) || be.Code != code {
		t.Fatalf("err %v, want %s", err, code)
	}
}

func ptr(t time.Time) *time.Time { return &t }

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}
