package http_test

import (
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

func TestAuthRefusesMissingBadAndRevokedTokens(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/api/v1/me", "", nil).WantError(t, 401, bullpen.EUnauthenticated, "")
	e.do("GET", "/api/v1/me", "bp_not-a-token", nil).WantError(t, 401, bullpen.EUnauthenticated, "")
	e.do("GET", "/api/v1/me", adminSecret+"x", nil).WantError(t, 401, bullpen.EUnauthenticated, "")

	rep := e.mustMint(adminSecret, bullpen.RoleRep, "rep-1")
	var me map[string]any
	e.do("GET", "/api/v1/me", rep.Token, nil).Want(t, 200, &me)
	if me["token_id"] != rep.ID || me["role"] != "rep" || me["rep_id"] != "rep-1" {
		t.Fatalf("me = %v", me)
	}
	e.do("DELETE", "/api/v1/tokens/"+rep.ID, adminSecret, nil).Want(t, 204, nil)
	e.do("GET", "/api/v1/me", rep.Token, nil).WantError(t, 401, bullpen.EUnauthenticated, "")
}

func TestAuthRefusesWrongRoles(t *testing.T) {
	e := newEnv(t)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "rep-1")
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	ingest := e.mustMint(adminSecret, bullpen.RoleIngest, "")

	e.do("GET", "/api/v1/tokens", rep.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("POST", "/api/v1/contests", display.Token, contestBody("x", time.Now())).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/contests", ingest.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("POST", "/api/v1/events", display.Token, `[]`).WantError(t, 403, bullpen.EPermission, "")
	// Reading is open to every role but ingest.
	e.do("GET", "/api/v1/contests", display.Token, nil).Want(t, 200, nil)
	e.do("GET", "/api/v1/me", ingest.Token, nil).WantError(t, 403, bullpen.EPermission, "")
}

func TestAdminTokenIsTheBootstrapAdmin(t *testing.T) {
	e := newEnv(t)
	var me map[string]any
	e.do("GET", "/api/v1/me", adminSecret, nil).Want(t, 200, &me)
	if me["token_id"] != "admin" || me["role"] != "admin" || me["rep_id"] != nil {
		t.Fatalf("me = %v", me)
	}
	e.do("DELETE", "/api/v1/tokens/admin", adminSecret, nil).WantError(t, 409, bullpen.EConflict, "")
}
