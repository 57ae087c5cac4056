package http_test

import (
	"context"
	"testing"
	"time"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
)

type screenView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Slides []struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
		Team string `json:"team"`
	} `json:"slides"`
	Seconds        int      `json:"seconds"`
	Amounts        string   `json:"amounts"`
	Sound          string   `json:"sound"`
	CelebrateTeams []string `json:"celebrate_teams"`
	Version        int64    `json:"version"`
	CreatedBy      string   `json:"created_by"`
	UpdatedBy      string   `json:"updated_by"`
}

func (e *env) mustCreateScreen(token string, body map[string]any) screenView {
	e.t.Helper()
	var s screenView
	e.do("POST", "/api/v1/screens", token, body).Want(e.t, 201, &s)
	return s
}

func TestScreensAreCreatedReadChangedAndDeleted(t *testing.T) {
	e := newEnv(t)
	manager := e.mustMint(adminSecret, bullpen.RoleManager, "")
	k := e.mustCreateContest(contestBody("Q4 push", time.Now().Add(-time.Hour)))

	s := e.mustCreateScreen(manager.Token, map[string]any{"name": " Lobby ", "slides": []map[string]any{
		{"kind": "contest", "id": k.ID}, {"kind": "targets", "team": "east"}, {"kind": "incentives"}, {"kind": "floor"}}})
	if s.ID == "" || s.Name != "Lobby" || len(s.Slides) != 4 || s.Slides[0].ID != k.ID || s.Slides[1].Team != "east" ||
		s.Seconds != 15 || s.Amounts != "show" || s.Sound != "on" || len(s.CelebrateTeams) != 0 || s.Version != 1 ||
		s.CreatedBy != manager.ID || s.UpdatedBy != manager.ID {
		t.Fatalf("created %+v", s)
	}
	var got screenView
	e.do("GET", "/api/v1/screens/"+s.ID, manager.Token, nil).Want(t, 200, &got)
	if got.ID != s.ID || got.Version != 1 || len(got.Slides) != 4 {
		t.Fatalf("read %+v", got)
	}

	put := map[string]any{"name": "Lobby", "slides": []map[string]any{{"kind": "floor"}}, "seconds": 30, "amounts": "hide",
		"sound": "off", "celebrate_teams": []string{"east", "east", "west"}, "version": 1}
	e.do("PUT", "/api/v1/screens/"+s.ID, adminSecret, put).Want(t, 200, &got)
	if got.Version != 2 || got.Seconds != 30 || got.Amounts != "hide" || got.Sound != "off" || len(got.Slides) != 1 ||
		len(got.CelebrateTeams) != 2 || got.UpdatedBy != bullpen.AdminTokenID || got.CreatedBy != manager.ID {
		t.Fatalf("replaced %+v", got)
	}
	// The same again changes nothing; an edit of version 1 is now a conflict.
	put["version"] = 2
	e.do("PUT", "/api/v1/screens/"+s.ID, adminSecret, put).Want(t, 200, &got)
	if got.Version != 2 {
		t.Fatalf("an unchanged PUT moved the version to %d", got.Version)
	}
	put["version"], put["seconds"] = 1, 20
	e.do("PUT", "/api/v1/screens/"+s.ID, adminSecret, put).WantError(t, 409, bullpen.EConflict, "")

	var list struct{ Items []screenView }
	e.mustCreateScreen(adminSecret, map[string]any{"name": "Annex", "slides": []map[string]any{{"kind": "incentives"}}})
	e.do("GET", "/api/v1/screens", manager.Token, nil).Want(t, 200, &list)
	if len(list.Items) != 2 || list.Items[0].Name != "Annex" || list.Items[1].Name != "Lobby" {
		t.Fatalf("list %+v", list.Items)
	}

	// The trail: created, changed (only what changed), deleted.
	e.do("DELETE", "/api/v1/screens/"+s.ID, manager.Token, nil).Want(t, 204, nil)
	e.do("GET", "/api/v1/screens/"+s.ID, manager.Token, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("DELETE", "/api/v1/screens/"+s.ID, manager.Token, nil).WantError(t, 404, bullpen.ENotFound, "")
	page, err := e.db.Audit(context.Background(), audit.Filter{Kind: "screen", Subject: s.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, c := range page.Items {
		actions = append(actions, c.Action)
	}
	if len(actions) != 3 || actions[0] != "screen.delete" || actions[1] != "screen.update" || actions[2] != "screen.create" {
		t.Fatalf("audit %v", actions)
	}
	if _, ok := page.Items[1].After["seconds"]; !ok || page.Items[1].After["name"] != nil {
		t.Fatalf("the update's record names what changed only: %s", page.Items[1].After)
	}
}

func TestScreenValidationNamesTheField(t *testing.T) {
	e := newEnv(t)
	k := e.mustCreateContest(contestBody("Q4 push", time.Now().Add(-time.Hour)))
	ok := []map[string]any{{"kind": "contest", "id": k.ID}}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"slides": ok}, "name"},
		{map[string]any{"name": "x", "slides": []map[string]any{}}, "slides"},
		{map[string]any{"name": "x", "slides": []map[string]any{{"kind": "floor"}, {"kind": "weather"}}}, "slides.1.kind"},
		{map[string]any{"name": "x", "slides": []map[string]any{{"kind": "contest"}}}, "slides.0.id"},
		{map[string]any{"name": "x", "slides": []map[string]any{{"kind": "floor"}, {"kind": "contest", "id": "3f1b6a1e-0000-4000-8000-000000000000"}}}, "slides.1.id"},
		{map[string]any{"name": "x", "slides": []map[string]any{{"kind": "contest", "id": "not-a-contest"}}}, "slides.0.id"},
		{map[string]any{"name": "x", "slides": []map[string]any{{"kind": "targets"}}}, "slides.0.team"},
		{map[string]any{"name": "x", "slides": []map[string]any{{"kind": "floor", "team": "east"}}}, "slides.0.kind"},
		{map[string]any{"name": "x", "slides": ok, "seconds": 4}, "seconds"},
		{map[string]any{"name": "x", "slides": ok, "seconds": 601}, "seconds"},
		{map[string]any{"name": "x", "slides": ok, "amounts": "maybe"}, "amounts"},
		{map[string]any{"name": "x", "slides": ok, "sound": "loud"}, "sound"},
		{map[string]any{"name": "x", "slides": ok, "celebrate_teams": []string{"east", ""}}, "celebrate_teams.1"},
		{map[string]any{"name": "x", "slides": ok, "colour": "red"}, "colour"},
		{map[string]any{"name": "x", "slides": ok, "version": 3}, "version"},
	} {
		e.do("POST", "/api/v1/screens", adminSecret, c.body).WantError(t, 400, bullpen.EInvalid, c.field)
	}
	s := e.mustCreateScreen(adminSecret, map[string]any{"name": "x", "slides": ok})
	e.do("PUT", "/api/v1/screens/"+s.ID, adminSecret, map[string]any{"name": "x", "slides": ok, "seconds": 1000}).
		WantError(t, 400, bullpen.EInvalid, "seconds")
	e.do("PUT", "/api/v1/screens/3f1b6a1e-0000-4000-8000-000000000000", adminSecret, map[string]any{"name": "x", "slides": ok}).
		WantError(t, 404, bullpen.ENotFound, "")
}

func TestOnlyStaffManageScreens(t *testing.T) {
	e := newEnv(t)
	s := e.mustCreateScreen(adminSecret, map[string]any{"name": "Lobby", "slides": []map[string]any{{"kind": "floor"}}})
	body := map[string]any{"name": "Mine", "slides": []map[string]any{{"kind": "floor"}}}
	for _, tok := range []string{e.mustMint(adminSecret, bullpen.RoleRep, "ana").Token, e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token} {
		e.do("GET", "/api/v1/screens", tok, nil).WantError(t, 403, bullpen.EPermission, "")
		e.do("GET", "/api/v1/screens/"+s.ID, tok, nil).WantError(t, 403, bullpen.EPermission, "")
		e.do("POST", "/api/v1/screens", tok, body).WantError(t, 403, bullpen.EPermission, "")
		e.do("PUT", "/api/v1/screens/"+s.ID, tok, body).WantError(t, 403, bullpen.EPermission, "")
		e.do("DELETE", "/api/v1/screens/"+s.ID, tok, nil).WantError(t, 403, bullpen.EPermission, "")
		e.do("POST", "/api/v1/pairings/claim", tok, map[string]any{"code": "AAAAAA", "screen_id": s.ID}).WantError(t, 403, bullpen.EPermission, "")
	}
}

func TestADisplayTokenIsBoundToAScreen(t *testing.T) {
	e := newEnv(t)
	s := e.mustCreateScreen(adminSecret, map[string]any{"name": "Lobby", "slides": []map[string]any{{"kind": "floor"}}})
	var tok struct {
		ID       string  `json:"id"`
		Token    string  `json:"token"`
		ScreenID *string `json:"screen_id"`
	}
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "name": "TV", "screen_id": s.ID}).Want(t, 201, &tok)
	if tok.ScreenID == nil || *tok.ScreenID != s.ID {
		t.Fatalf("minted %+v", tok)
	}
	var me struct {
		ScreenID *string `json:"screen_id"`
	}
	e.do("GET", "/api/v1/me", tok.Token, nil).Want(t, 200, &me)
	if me.ScreenID == nil || *me.ScreenID != s.ID {
		t.Fatalf("me %+v", me)
	}
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "rep", "rep_id": "ana", "screen_id": s.ID}).
		WantError(t, 400, bullpen.EInvalid, "screen_id")
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "screen_id": "3f1b6a1e-0000-4000-8000-000000000000"}).
		WantError(t, 400, bullpen.EInvalid, "screen_id")
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "screen_id": "lobby"}).
		WantError(t, 400, bullpen.EInvalid, "screen_id")

	// A deleted screen leaves its tokens working, unbound.
	e.do("DELETE", "/api/v1/screens/"+s.ID, adminSecret, nil).Want(t, 204, nil)
	e.do("GET", "/api/v1/me", tok.Token, nil).Want(t, 200, &me)
	if me.ScreenID != nil {
		t.Fatalf("me after the screen was deleted: %v", *me.ScreenID)
	}
}
