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
