package http_test

import (
	"bytes"
	"testing"

	"bullpen/internal/bullpen"
)

func TestManagerMintsAndRevokesOnlyRepAndDisplayTokens(t *testing.T) {
	e := newEnv(t)
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	e.mustMint(mgr.Token, bullpen.RoleRep, "rep-1")
	e.mustMint(mgr.Token, bullpen.RoleDisplay, "")
	for _, role := range []string{"manager", "ingest"} {
		e.do("POST", "/api/v1/tokens", mgr.Token, map[string]any{"role": role}).WantError(t, 403, bullpen.EPermission, "")
	}
	other := e.mustMint(adminSecret, bullpen.RoleManager, "")
	e.do("DELETE", "/api/v1/tokens/"+other.ID, mgr.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/me", other.Token, nil).Want(t, 200, nil)
	e.do("DELETE", "/api/v1/tokens/tok_nope", mgr.Token, nil).WantError(t, 404, bullpen.ENotFound, "")
}

func TestMintingValidatesRoleAndRepID(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name  string
		body  string
		field string
	}{
		{"rep without rep_id", `{"role":"rep"}`, "rep_id"},
		{"display with rep_id", `{"role":"display","rep_id":"r"}`, "rep_id"},
		{"no role", `{}`, "role"},
		{"unknown role", `{"role":"boss"}`, "role"},
		{"admin", `{"role":"admin"}`, "role"},
		{"unknown field", `{"role":"display","scope":"all"}`, "scope"},
		{"wrong type", `{"role":"display","name":7}`, "name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", "/api/v1/tokens", adminSecret, tc.body).WantError(t, 400, bullpen.EInvalid, tc.field)
		})
	}
}

func TestTokenListNeverShowsSecrets(t *testing.T) {
	e := newEnv(t)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "rep-1")
	e.do("GET", "/api/v1/me", rep.Token, nil).Want(t, 200, nil) // records last use
	res := e.do("GET", "/api/v1/tokens", adminSecret, nil)
	var got struct {
		Items []map[string]any `json:"items"`
	}
	res.Want(t, 200, &got)
	if bytes.Contains(res.Body, []byte(rep.Token)) || bytes.Contains(res.Body, []byte(`"token"`)) {
		t.Fatalf("token list shows a secret: %s", res.Body)
	}
	if len(got.Items) != 1 || got.Items[0]["id"] != rep.ID || got.Items[0]["rep_id"] != "rep-1" {
		t.Fatalf("items = %v", got.Items)
	}
	if got.Items[0]["last_used_at"] == nil || got.Items[0]["created_by"] != "admin" {
		t.Fatalf("token not recorded as used or made by admin: %v", got.Items[0])
	}
}
