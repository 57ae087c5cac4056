package bullpen_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// wantCode fails unless err is a bullpen.Error of code and field, or nil when code is "".
func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("err %v, want none", err)
		}
		return
	}
	var be *bullpen.Error
	if !errors.As(err, &be) || be.Code != code || be.Field != field {
		t.Fatalf("err %v, want code %q field %q", err, code, field)
	}
}

func TestCheckMint(t *testing.T) {
	for _, tc := range []struct {
		name  string
		by    bullpen.Role
		t     bullpen.Token
		code  string
		field string
	}{
		{"an admin mints a manager", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleManager}, "", ""},
		{"an admin mints an ingest token", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleIngest}, "", ""},
		{"a manager mints a rep bound to a rep id", bullpen.RoleManager, bullpen.Token{Role: bullpen.RoleRep, RepID: "ana"}, "", ""},
		{"a manager mints a named display", bullpen.RoleManager, bullpen.Token{Role: bullpen.RoleDisplay, Name: "floor"}, "", ""},
		{"a role is required", bullpen.RoleAdmin, bullpen.Token{}, bullpen.EInvalid, "role"},
		{"an unknown role is invalid", bullpen.RoleAdmin, bullpen.Token{Role: "boss"}, bullpen.EInvalid, "role"},
		{"admins are not minted", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleAdmin}, bullpen.EInvalid, "role"},
		{"a manager may not mint a manager", bullpen.RoleManager, bullpen.Token{Role: bullpen.RoleManager}, bullpen.EPermission, ""},
		{"a manager may not mint an ingest token", bullpen.RoleManager, bullpen.Token{Role: bullpen.RoleIngest}, bullpen.EPermission, ""},
		{"a rep may mint nothing", bullpen.RoleRep, bullpen.Token{Role: bullpen.RoleDisplay}, bullpen.EPermission, ""},
		{"a rep token needs a rep id", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleRep}, bullpen.EInvalid, "rep_id"},
		{"only a rep token takes a rep id", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleDisplay, RepID: "ana"}, bullpen.EInvalid, "rep_id"},
		{"a long rep id is invalid", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleRep, RepID: strings.Repeat("r", 101)}, bullpen.EInvalid, "rep_id"},
		{"a long name is invalid", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleDisplay, Name: strings.Repeat("n", 201)}, bullpen.EInvalid, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, bullpen.CheckMint(tc.by, tc.t), tc.code, tc.field)
		})
	}
}

func TestCheckRevoke(t *testing.T) {
	revoked := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		by    bullpen.Role
		t     bullpen.Token
		write bool
		code  string
	}{
		{"an admin revokes a manager", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleManager}, true, ""},
		{"a manager revokes a display", bullpen.RoleManager, bullpen.Token{Role: bullpen.RoleDisplay}, true, ""},
		{"a token already revoked leaves nothing to write", bullpen.RoleAdmin, bullpen.Token{Role: bullpen.RoleRep, RevokedAt: &revoked}, false, ""},
		{"a manager may not revoke a manager", bullpen.RoleManager, bullpen.Token{Role: bullpen.RoleManager}, false, bullpen.EPermission},
		{"a manager may not revoke an ingest token, even a revoked one", bullpen.RoleManager, bullpen.Token{Role: bullpen.RoleIngest, RevokedAt: &revoked}, false, bullpen.EPermission},
	} {
		t.Run(tc.name, func(t *testing.T) {
			write, err := bullpen.CheckRevoke(tc.by, tc.t)
			wantCode(t, err, tc.code, "")
			if write != tc.write {
				t.Fatalf("write %v, want %v", write, tc.write)
			}
		})
	}
}

func TestTheBootstrapAdminIsNotRevocable(t *testing.T) {
	wantCode(t, bullpen.Revocable(bullpen.AdminTokenID), bullpen.EConflict, "")
	wantCode(t, bullpen.Revocable("tok_0123"), "", "")
}

func TestHashSecretIsStableAndDistinct(t *testing.T) {
	a, b := bullpen.HashSecret("bp_a"), bullpen.HashSecret("bp_b")
	if !bytes.Equal(a, bullpen.HashSecret("bp_a")) || bytes.Equal(a, b) || len(a) != 32 {
		t.Fatalf("hashes %x %x", a, b)
	}
}
