package live_test

import (
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

type mintedUntil struct {
	ID            string     `json:"id"`
	Token         string     `json:"token"`
	PreviousUntil *time.Time `json:"previous_secret_until"`
}

func TestSocketClosedWith4401WhenItsTokenExpires(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	lasting := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	c, other := dialWS(t, ws.url, nil), dialWS(t, ws.url, nil)
	var brief mintedUntil
	expires := time.Now().Add(3 * time.Second)
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "expires_at": expires.Format(time.RFC3339Nano)}).Want(t, 201, &brief)
	c.auth(brief.Token)
	c.subscribe("floor")
	c.nextOf("snapshot")
	other.auth(lasting.Token)
	c.wantClose(4401)
	if early := time.Until(expires); early > 50*time.Millisecond {
		t.Fatalf("closed %v before the token expired", early)
	}
	other.wantNothingMore()

	// Once expired, the token does not open a socket either.
	again := dialWS(t, ws.url, nil)
	again.send(map[string]any{"type": "auth", "token": brief.Token})
	again.wantClose(4401)
}

func TestRotationClosesTheReplacedSecretsSocketsOnEveryReplicaWhenTheOverlapEnds(t *testing.T) {
	e := newEnv(t)
	a := startWS(t, e, nil, nil)
	b := startWS(t, e, nil, nil)
	e.srv = a.srv // the rotation goes through replica a
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	oldOnA, oldOnB := dialWS(t, a.url, nil), dialWS(t, b.url, nil)
	oldOnA.auth(display.Token)
	oldOnB.auth(display.Token) // replica b caches the old secret as never ending
	oldOnB.subscribe("floor")
	oldOnB.nextOf("snapshot")

	var r mintedUntil
	e.do("POST", "/api/v1/tokens/"+display.ID+"/rotate", adminSecret, map[string]any{"overlap": "2s"}).Want(t, 200, &r)
	newOnB := dialWS(t, b.url, nil)
	if w := newOnB.auth(r.Token); !strings.Contains(string(w.Raw), `"token_id":"`+display.ID+`"`) {
		t.Fatalf("the new secret opens %s, want token %s", w.Raw, display.ID)
	}
	// Within the overlap the old secret still opens sockets, on either replica.
	late := dialWS(t, b.url, nil)
	late.auth(display.Token)

	oldOnA.wantClose(4401)
	oldOnB.wantClose(4401)
	late.wantClose(4401)
	if early := time.Until(*r.PreviousUntil); early > 50*time.Millisecond {
		t.Fatalf("closed %v before the overlap ended", early)
	}
	newOnB.wantNothingMore()
	for _, url := range []string{a.url, b.url} {
		c := dialWS(t, url, nil)
		c.send(map[string]any{"type": "auth", "token": display.Token})
		c.wantClose(4401)
	}
}

func TestASecondRotationClosesTheFirstReplacedSecretsSocketsAtOnce(t *testing.T) {
	e := newEnv(t)
	a := startWS(t, e, nil, nil)
	b := startWS(t, e, nil, nil)
	e.srv = a.srv
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	first := dialWS(t, b.url, nil)
	first.auth(display.Token)
	var r mintedUntil
	e.do("POST", "/api/v1/tokens/"+display.ID+"/rotate", adminSecret, map[string]any{"overlap": "1h"}).Want(t, 200, &r)
	second := dialWS(t, b.url, nil)
	second.auth(r.Token)
	first.wantNothingMore() // in its overlap

	e.do("POST", "/api/v1/tokens/"+display.ID+"/rotate", adminSecret, map[string]any{"overlap": "1h"}).Want(t, 200, nil)
	first.wantClose(4401)
	second.wantNothingMore() // now the replaced secret, in its own overlap
}
