package http_test

import (
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
	"bullpen/internal/screen"
)

type pairingStarted struct {
	Code      string    `json:"code"`
	Secret    string    `json:"secret"`
	ExpiresAt time.Time `json:"expires_at"`
}

type pairingStatus struct {
	Status   string `json:"status"`
	Token    string `json:"token"`
	TokenID  string `json:"token_id"`
	ScreenID string `json:"screen_id"`
	Name     string `json:"name"`
}

func (e *env) startPairing() pairingStarted {
	e.t.Helper()
	var p pairingStarted
	e.do("POST", "/api/v1/pairings", "", nil).Want(e.t, 201, &p)
	return p
}

func (e *env) poll(secret string) response {
	e.t.Helper()
	return e.do("POST", "/api/v1/pairings/collect", "", map[string]any{"secret": secret})
}

func TestADisplayPairsByCodeOnce(t *testing.T) {
	e := newEnv(t)
	manager := e.mustMint(adminSecret, bullpen.RoleManager, "")
	s := e.mustCreateScreen(manager.Token, map[string]any{"name": "Lobby", "slides": []map[string]any{{"kind": "floor"}}})

	p := e.startPairing()
	if len(p.Code) != screen.CodeLength || strings.Trim(p.Code, screen.CodeAlphabet) != "" || !strings.HasPrefix(p.Secret, "bpp_") ||
		time.Until(p.ExpiresAt) < 9*time.Minute || time.Until(p.ExpiresAt) > 11*time.Minute {
		t.Fatalf("pairing %+v", p)
	}
	var st pairingStatus
	e.poll(p.Secret).Want(t, 200, &st)
	if st.Status != "pending" || st.Token != "" {
		t.Fatalf("before the claim: %+v", st)
	}

	// The manager types the code as people do: lower case, a space in the middle.
	typed := strings.ToLower(p.Code[:3] + " " + p.Code[3:])
	var claimed struct {
		TokenID  string `json:"token_id"`
		ScreenID string `json:"screen_id"`
		Name     string `json:"name"`
	}
	e.do("POST", "/api/v1/pairings/claim", manager.Token, map[string]any{"code": typed, "screen_id": s.ID, "name": "Lobby TV"}).
		Want(t, 201, &claimed)
	if claimed.ScreenID != s.ID || claimed.Name != "Lobby TV" || !strings.HasPrefix(claimed.TokenID, "tok_") {
		t.Fatalf("claimed %+v", claimed)
	}
	// Claimed once: the same code again claims nothing.
	e.do("POST", "/api/v1/pairings/claim", manager.Token, map[string]any{"code": p.Code, "screen_id": s.ID}).
		WantError(t, 404, bullpen.ENotFound, "")

	// The display's next poll gets its token, bound to the screen, made by the manager; once.
	e.poll(p.Secret).Want(t, 200, &st)
	if st.Status != "paired" || !strings.HasPrefix(st.Token, "bp_") || st.TokenID != claimed.TokenID || st.ScreenID != s.ID {
		t.Fatalf("after the claim: %+v", st)
	}
	e.poll(p.Secret).WantError(t, 404, bullpen.ENotFound, "")
	var me struct {
		TokenID  string  `json:"token_id"`
		Role     string  `json:"role"`
		ScreenID *string `json:"screen_id"`
	}
	e.do("GET", "/api/v1/me", st.Token, nil).Want(t, 200, &me)
	if me.TokenID != claimed.TokenID || me.Role != "display" || me.ScreenID == nil || *me.ScreenID != s.ID {
		t.Fatalf("me %+v", me)
	}
	var tokens struct {
		Items []struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			CreatedBy string `json:"created_by"`
			ScreenID  string `json:"screen_id"`
		}
	}
	e.do("GET", "/api/v1/tokens", manager.Token, nil).Want(t, 200, &tokens)
	if tokens.Items[0].ID != claimed.TokenID || tokens.Items[0].CreatedBy != manager.ID || tokens.Items[0].ScreenID != s.ID ||
		tokens.Items[0].Name != "Lobby TV" {
		t.Fatalf("tokens %+v", tokens.Items[0])
	}
}

func TestAPairingCodeExpires(t *testing.T) {
	c := newClock()
	e := newEnv(t, withClock(c))
	s := e.mustCreateScreen(adminSecret, map[string]any{"name": "Lobby", "slides": []map[string]any{{"kind": "floor"}}})

	late, early := e.startPairing(), e.startPairing()
	c.move(screen.PairingLife - time.Second)
	e.do("POST", "/api/v1/pairings/claim", adminSecret, map[string]any{"code": early.Code, "screen_id": s.ID}).Want(t, 201, nil)
	c.move(2 * time.Second)
	// Past its life a code claims nothing, and a claimed pairing not collected in time is gone.
	e.do("POST", "/api/v1/pairings/claim", adminSecret, map[string]any{"code": late.Code, "screen_id": s.ID}).
		WantError(t, 404, bullpen.ENotFound, "")
	e.poll(late.Secret).WantError(t, 404, bullpen.ENotFound, "")
	e.poll(early.Secret).WantError(t, 404, bullpen.ENotFound, "")

	// What is not a code, or no screen, is a 400 naming the field.
	fresh := e.startPairing()
	e.do("POST", "/api/v1/pairings/claim", adminSecret, map[string]any{"code": "0O1IL5", "screen_id": s.ID}).
		WantError(t, 400, bullpen.EInvalid, "code")
	e.do("POST", "/api/v1/pairings/claim", adminSecret, map[string]any{"code": fresh.Code, "screen_id": "3f1b6a1e-0000-4000-8000-000000000000"}).
		WantError(t, 400, bullpen.EInvalid, "screen_id")
	e.do("POST", "/api/v1/pairings/claim", adminSecret, map[string]any{"code": fresh.Code}).
		WantError(t, 400, bullpen.EInvalid, "screen_id")
	e.do("POST", "/api/v1/pairings/collect", "", map[string]any{}).WantError(t, 400, bullpen.EInvalid, "secret")
}

func TestPairingIsBoundByTheAddressBudget(t *testing.T) {
	e := newEnv(t, func(d *httpapi.Deps) {
		d.AuthFailures = bullpen.Rate{Count: 3, Per: time.Minute}
	})
	for range 3 {
		e.startPairing()
	}
	e.do("POST", "/api/v1/pairings", "", nil).WantError(t, 429, bullpen.ERateLimited, "")
	e.poll("bpp_nothing").WantError(t, 429, bullpen.ERateLimited, "")
}
