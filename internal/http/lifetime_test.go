package http_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
)

// testClock is the server's clock in a test: it stands still until moved.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *testClock { return &testClock{now: time.Now().UTC().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) move(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func withClock(c *testClock) func(*httpapi.Deps) { return func(d *httpapi.Deps) { d.Now = c.Now } }

// tokenView is a token as GET /tokens and the mint and rotate answers show it.
type tokenView struct {
	ID            string     `json:"id"`
	Token         string     `json:"token"`
	Role          string     `json:"role"`
	RepID         *string    `json:"rep_id"`
	ExpiresAt     *time.Time `json:"expires_at"`
	RotatedAt     *time.Time `json:"rotated_at"`
	PreviousUntil *time.Time `json:"previous_secret_until"`
	LastUsedAt    *time.Time `json:"last_used_at"`
}

func (e *env) listed(id string) tokenView {
	e.t.Helper()
	var got struct{ Items []tokenView }
	e.do("GET", "/api/v1/tokens", adminSecret, nil).Want(e.t, 200, &got)
	for _, v := range got.Items {
		if v.ID == id {
			return v
		}
	}
	e.t.Fatalf("token %s not listed", id)
	return tokenView{}
}

// wantExpired fails unless the secret is refused as the contract refuses an unknown token, with
// a message that says it expired.
func (e *env) wantExpired(secret string) {
	e.t.Helper()
	if msg := e.do("GET", "/api/v1/me", secret, nil).WantError(e.t, 401, bullpen.EUnauthenticated, "").Error.Message; !strings.Contains(msg, "expired") {
		e.t.Fatalf("refused with %q, want a message that says expired", msg)
	}
}

func TestMintedTokenExpiresOnTheServersClock(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	at := clock.Now().Add(2 * time.Second)
	var m tokenView
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "expires_at": at.Format(time.RFC3339)}).Want(t, 201, &m)
	if m.ExpiresAt == nil || !m.ExpiresAt.Equal(at) {
		t.Fatalf("minted %+v, want expires_at %s", m, at)
	}
	if v := e.listed(m.ID); v.ExpiresAt == nil || !v.ExpiresAt.Equal(at) {
		t.Fatalf("listed %+v, want expires_at %s", v, at)
	}
	never := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	if v := e.listed(never.ID); v.ExpiresAt != nil {
		t.Fatalf("a token minted without expiry lists expires_at %v", v.ExpiresAt)
	}

	e.do("GET", "/api/v1/me", m.Token, nil).Want(t, 200, nil) // now cached on this replica
	clock.move(time.Second)
	e.do("GET", "/api/v1/me", m.Token, nil).Want(t, 200, nil)
	// Still within the cache's few seconds, but the entry carries the expiry.
	clock.move(time.Second)
	e.wantExpired(m.Token)
	clock.move(time.Hour)
	e.wantExpired(m.Token)
	e.do("GET", "/api/v1/me", never.Token, nil).Want(t, 200, nil)
}

func TestMintingRefusesAnExpiryNotInTheFuture(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	for _, at := range []any{clock.Now().Format(time.RFC3339), clock.Now().Add(-time.Minute).Format(time.RFC3339), "tomorrow", "2026-12-01", 1767225600} {
		e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "expires_at": at}).WantError(t, 400, bullpen.EInvalid, "expires_at")
	}
	var got struct{ Items []tokenView }
	e.do("GET", "/api/v1/tokens", adminSecret, nil).Want(t, 200, &got)
	if len(got.Items) != 0 {
		t.Fatalf("refused mints stored %+v", got.Items)
	}
}

func TestRotationKeepsTheOldSecretForTheOverlap(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	e.do("GET", "/api/v1/me", rep.Token, nil).Want(t, 200, nil) // cached with no end

	var r tokenView
	e.do("POST", "/api/v1/tokens/"+rep.ID+"/rotate", adminSecret, map[string]any{"overlap": "90m"}).Want(t, 200, &r)
	if r.ID != rep.ID || r.Role != "rep" || r.RepID == nil || *r.RepID != "ana" || r.Token == rep.Token || !strings.HasPrefix(r.Token, "bp_") {
		t.Fatalf("rotated %+v: the same token with a new secret", r)
	}
	until := clock.Now().Add(90 * time.Minute)
	if r.RotatedAt == nil || !r.RotatedAt.Equal(clock.Now()) || r.PreviousUntil == nil || !r.PreviousUntil.Equal(until) || r.ExpiresAt != nil {
		t.Fatalf("rotated at %v, old secret until %v, expires %v; want %v, %v, never", r.RotatedAt, r.PreviousUntil, r.ExpiresAt, clock.Now(), until)
	}
	if v := e.listed(rep.ID); v.PreviousUntil == nil || !v.PreviousUntil.Equal(until) || v.RotatedAt == nil {
		t.Fatalf("listed %+v", v)
	}
	for _, secret := range []string{rep.Token, r.Token} {
		var me map[string]any
		e.do("GET", "/api/v1/me", secret, nil).Want(t, 200, &me)
		if me["token_id"] != rep.ID || me["rep_id"] != "ana" {
			t.Fatalf("me = %v", me)
		}
	}
	clock.move(90*time.Minute - time.Second)
	e.do("GET", "/api/v1/me", rep.Token, nil).Want(t, 200, nil)
	clock.move(time.Second)
	e.wantExpired(rep.Token)
	e.do("GET", "/api/v1/me", r.Token, nil).Want(t, 200, nil)

	// A second rotation ends the secret the first replaced at once, and 0s ends the current one
	// at once too.
	var r2 tokenView
	e.do("POST", "/api/v1/tokens/"+rep.ID+"/rotate", adminSecret, map[string]any{"overlap": "0s"}).Want(t, 200, &r2)
	e.wantExpired(r.Token)
	// Two rotations back, the first secret is not known any more.
	e.do("GET", "/api/v1/me", rep.Token, nil).WantError(t, 401, bullpen.EUnauthenticated, "")
	e.do("GET", "/api/v1/me", r2.Token, nil).Want(t, 200, nil)
}

func TestRotationDefaultsAndRefusals(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	var r tokenView
	e.do("POST", "/api/v1/tokens/"+display.ID+"/rotate", adminSecret, nil).Want(t, 200, &r)
	if r.PreviousUntil == nil || !r.PreviousUntil.Equal(clock.Now().Add(24*time.Hour)) {
		t.Fatalf("without a body the old secret works until %v, want 24h on", r.PreviousUntil)
	}
	// An expiry caps the overlap, and a new one replaces the token's.
	soon, later := clock.Now().Add(time.Hour), clock.Now().Add(48*time.Hour)
	var short tokenView
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "expires_at": soon}).Want(t, 201, &short)
	e.do("POST", "/api/v1/tokens/"+short.ID+"/rotate", adminSecret, map[string]any{"expires_at": later}).Want(t, 200, &r)
	if !r.PreviousUntil.Equal(soon) || r.ExpiresAt == nil || !r.ExpiresAt.Equal(later) {
		t.Fatalf("old secret until %v, token expires %v; want %v and %v", r.PreviousUntil, r.ExpiresAt, soon, later)
	}

	for _, tc := range []struct {
		name, body, field string
	}{
		{"a duration without a unit", `{"overlap":"86400"}`, "overlap"},
		{"seconds as a number", `{"overlap":86400}`, "overlap"},
		{"a negative overlap", `{"overlap":"-1h"}`, "overlap"},
		{"over the maximum", `{"overlap":"169h"}`, "overlap"},
		{"an expiry in the past", `{"expires_at":"2001-01-01T00:00:00Z"}`, "expires_at"},
		{"an unknown member", `{"overlap":"1h","grace":"1h"}`, "grace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", "/api/v1/tokens/"+display.ID+"/rotate", adminSecret, tc.body).WantError(t, 400, bullpen.EInvalid, tc.field)
		})
	}
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	other := e.mustMint(adminSecret, bullpen.RoleManager, "")
	e.do("POST", "/api/v1/tokens/"+other.ID+"/rotate", mgr.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("POST", "/api/v1/tokens/"+display.ID+"/rotate", display.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("POST", "/api/v1/tokens/tok_nope/rotate", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("POST", "/api/v1/tokens/admin/rotate", adminSecret, nil).WantError(t, 409, bullpen.EConflict, "")

	revoked := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	e.do("DELETE", "/api/v1/tokens/"+revoked.ID, adminSecret, nil).Want(t, 204, nil)
	if msg := e.do("POST", "/api/v1/tokens/"+revoked.ID+"/rotate", adminSecret, nil).WantError(t, 409, bullpen.EConflict, "").Error.Message; !strings.Contains(msg, "revoked") {
		t.Fatalf("rotating a revoked token: %q, want a message that says revoked", msg)
	}
	var brief tokenView
	e.do("POST", "/api/v1/tokens", adminSecret, map[string]any{"role": "display", "expires_at": clock.Now().Add(time.Minute)}).Want(t, 201, &brief)
	clock.move(time.Minute)
	if msg := e.do("POST", "/api/v1/tokens/"+brief.ID+"/rotate", adminSecret, nil).WantError(t, 409, bullpen.EConflict, "").Error.Message; !strings.Contains(msg, "expired") {
		t.Fatalf("rotating an expired token: %q, want a message that says expired", msg)
	}
	// Refused rotations changed nothing: the token still has its one secret.
	if v := e.listed(brief.ID); v.RotatedAt != nil {
		t.Fatalf("a refused rotation was stored: %+v", v)
	}
	e.do("GET", "/api/v1/me", mgr.Token, nil).Want(t, 200, nil)
}

func TestRotationIsIdempotentAndAudited(t *testing.T) {
	e := newEnv(t)
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	path := "/api/v1/tokens/" + display.ID + "/rotate"
	first := e.do("POST", path, adminSecret, map[string]any{"overlap": "1h"}, "Idempotency-Key", "rotate-1")
	again := e.do("POST", path, adminSecret, map[string]any{"overlap": "1h"}, "Idempotency-Key", "rotate-1")
	var a, b tokenView
	first.Want(t, 200, &a)
	again.Want(t, 200, &b)
	if a.Token != b.Token || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a replayed rotation answered another secret (%q, %q) or was not marked", a.Token, b.Token)
	}
	// Replayed, not rotated again: the first rotation's old secret still works.
	e.do("GET", "/api/v1/me", display.Token, nil).Want(t, 200, nil)
	e.do("GET", "/api/v1/me", a.Token, nil).Want(t, 200, nil)

	rows, err := e.db.Pool.Query(context.Background(), `SELECT by, action, detail FROM changes WHERE subject = $1 ORDER BY id`, display.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var by, action string
		var detail map[string]any
		if err := rows.Scan(&by, &action, &detail); err != nil {
			t.Fatal(err)
		}
		got = append(got, by+" "+action)
		if action == "token.rotate" && (detail["previous_secret_until"] == nil || detail["id"] != display.ID) {
			t.Fatalf("rotation recorded as %v", detail)
		}
		for k := range detail {
			if strings.Contains(k, "hash") || strings.Contains(k, "secret") && k != "previous_secret_until" {
				t.Fatalf("the audit trail holds %s: %v", k, detail)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ", ") != "admin token.create, admin token.rotate" {
		t.Fatalf("changes %v, want the creation and one rotation", got)
	}
}

func TestLastUsedIsRecordedForEitherSecret(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	var r tokenView
	e.do("POST", "/api/v1/tokens/"+display.ID+"/rotate", adminSecret, map[string]any{"overlap": "1h"}).Want(t, 200, &r)
	if v := e.listed(display.ID); v.LastUsedAt != nil {
		t.Fatalf("unused, yet last used at %v", v.LastUsedAt)
	}
	e.do("GET", "/api/v1/me", display.Token, nil).Want(t, 200, nil) // the replaced secret
	first := e.listed(display.ID).LastUsedAt
	if first == nil {
		t.Fatal("the replaced secret's use was not recorded")
	}
	clock.move(2 * time.Minute) // past the once-a-minute throttle
	time.Sleep(5 * time.Millisecond)
	e.do("GET", "/api/v1/me", r.Token, nil).Want(t, 200, nil) // the new secret
	if second := e.listed(display.ID).LastUsedAt; second == nil || !second.After(*first) {
		t.Fatalf("last used %v after the new secret's use, was %v", second, first)
	}
}
