package live_test

import (
	"context"
	"encoding/json"
	"testing"

	"bullpen/internal/bullpen"
)

type screenData struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Seconds int    `json:"seconds"`
	Version int64  `json:"version"`
	Removed bool   `json:"removed"`
	Slides  []struct {
		Kind string `json:"kind"`
	} `json:"slides"`
}

// drain publishes what the outbox holds, as the consumer's publisher does.
func (e *env) drain() {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.db.DrainOutbox(ctx, 100, func(q []bullpen.Queued) error { return e.store.PublishQueued(ctx, q) }); err != nil {
		e.t.Fatal(err)
	}
}

func TestADisplayBoundToAScreenHearsItsChanges(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	e.srv = ws.srv
	var s screenData
	e.do("POST", "/api/v1/screens", adminSecret, map[string]any{"name": "Lobby", "slides": []map[string]any{{"kind": "floor"}}}).
		Want(t, 201, &s)
	var bound struct {
		Token string `json:"token"`
	}
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "screen_id": s.ID}).Want(t, 201, &bound)

	display := dialWS(t, ws.url, nil)
	var welcome struct {
		ScreenID string `json:"screen_id"`
	}
	if err := json.Unmarshal(display.auth(bound.Token).Raw, &welcome); err != nil || welcome.ScreenID != s.ID {
		t.Fatalf("welcome without the screen: %+v %v", welcome, err)
	}
	display.subscribe("screen:" + s.ID)
	var snap screenData
	if err := json.Unmarshal(display.nextOf("snapshot").Data, &snap); err != nil || snap.ID != s.ID || snap.Seconds != 15 || snap.Version != 1 {
		t.Fatalf("snapshot %+v %v", snap, err)
	}

	e.do("PUT", "/api/v1/screens/"+s.ID, adminSecret, map[string]any{"name": "Lobby", "seconds": 40,
		"slides": []map[string]any{{"kind": "incentives"}, {"kind": "floor"}}}).Want(t, 200, nil)
	e.drain()
	m := display.nextOf("screen")
	var changed screenData
	if err := json.Unmarshal(m.Data, &changed); err != nil || m.Channel != "screen:"+s.ID || changed.Seconds != 40 ||
		changed.Version != 2 || len(changed.Slides) != 2 || changed.Slides[0].Kind != "incentives" {
		t.Fatalf("screen message %s", m.Raw)
	}

	e.do("DELETE", "/api/v1/screens/"+s.ID, adminSecret, nil).Want(t, 204, nil)
	e.drain()
	var gone screenData
	if err := json.Unmarshal(display.nextOf("screen").Data, &gone); err != nil || !gone.Removed || gone.ID != s.ID {
		t.Fatalf("removal %+v", gone)
	}
}

func TestOnlyItsDisplaysAndStaffWatchAScreen(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	e.srv = ws.srv
	var s, other screenData
	e.do("POST", "/api/v1/screens", adminSecret, map[string]any{"name": "Lobby", "slides": []map[string]any{{"kind": "floor"}}}).Want(t, 201, &s)
	e.do("POST", "/api/v1/screens", adminSecret, map[string]any{"name": "Annex", "slides": []map[string]any{{"kind": "floor"}}}).Want(t, 201, &other)
	var elsewhere struct {
		Token string `json:"token"`
	}
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "screen_id": other.ID}).Want(t, 201, &elsewhere)

	for name, token := range map[string]string{
		"an unbound display":          e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token,
		"a display of another screen": elsewhere.Token,
		"a rep":                       e.mustMint(adminSecret, bullpen.RoleRep, "ana").Token,
	} {
		c := dialWS(t, ws.url, nil)
		c.auth(token)
		c.subscribe("screen:" + s.ID)
		if m := c.nextOf("error"); m.Code != bullpen.EPermission || m.Channel != "screen:"+s.ID {
			t.Fatalf("%s watching the screen: %s", name, m.Raw)
		}
	}
	manager := dialWS(t, ws.url, nil)
	manager.auth(e.mustMint(adminSecret, bullpen.RoleManager, "").Token)
	manager.subscribe("screen:" + s.ID)
	if m := manager.nextOf("snapshot"); m.Channel != "screen:"+s.ID {
		t.Fatalf("manager: %s", m.Raw)
	}
	manager.subscribe("screen:3f1b6a1e-0000-4000-8000-000000000000")
	if m := manager.nextOf("error"); m.Code != bullpen.ENotFound {
		t.Fatalf("a screen that does not exist: %s", m.Raw)
	}
}
