// Package apitest is the HTTP tests' client of the REST API: it sends a request to a Fiber app
// in-process, holds every exchange to docs/openapi.json (openapitest.Check), and reads the
// answer. The REST tests (internal/http) and the socket tests (internal/live) share it. Used
// by tests only.
package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/openapitest"
)

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request to app; body is JSON-encoded unless it is a string or []byte. headers are
// name, value pairs.
func Do(t testing.TB, app *fiber.App, method, path, token string, body any, headers ...string) Response {
	t.Helper()
	var sent []byte
	switch b := body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	case []byte:
		sent = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		sent = j
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(sent)
	}
	req := newRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := Response{Status: res.StatusCode, Header: res.Header, Body: b}
	// The document cannot drift from what the handlers do.
	openapitest.Check(t, openapitest.Exchange{Method: req.Method, Path: req.URL.RequestURI(), Header: req.Header,
		Body: sent, Status: out.Status, ResHeader: out.Header, ResBody: out.Body})
	return out
}

// newRequest is the request for path exactly as written: a path with a malformed escape
// (`%zz`), which httptest.NewRequest refuses, goes out unchanged, so tests can see the server's
// answer to it.
func newRequest(method, path string, body io.Reader) *http.Request {
	if _, err := url.ParseRequestURI(path); err == nil {
		return httptest.NewRequest(method, path, body)
	}
	req := httptest.NewRequest(method, "/", body)
	req.URL, req.RequestURI = &url.URL{Opaque: path}, path
	return req
}

// Want fails the test unless the response has status, and decodes its body into v (if not nil).
func (r Response) Want(t testing.TB, status int, v any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("decode %s: %v", r.Body, err)
		}
	}
}

// APIError is an error response's body.
type APIError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// WantError fails the test unless the response is the error status, code and field, with a
// message.
func (r Response) WantError(t testing.TB, status int, code, field string) APIError {
	t.Helper()
	var e APIError
	r.Want(t, status, &e)
	if e.Error.Code != code || e.Error.Field != field {
		t.Fatalf("error code %q field %q (%s), want %q %q", e.Error.Code, e.Error.Field, e.Error.Message, code, field)
	}
	if e.Error.Message == "" {
		t.Fatalf("error without a message: %s", r.Body)
	}
	return e
}

// Minted is a new token as POST /tokens answers it.
type Minted struct {
	ID    string `json:"id"`
	Token string `json:"token"`
	Role  string `json:"role"`
}

// MustMint mints a token of role (for repID, if any) with the by token.
func MustMint(t testing.TB, app *fiber.App, by string, role bullpen.Role, repID string) Minted {
	t.Helper()
	body := map[string]any{"role": role, "name": string(role) + " for tests"}
	if repID != "" {
		body["rep_id"] = repID
	}
	var m Minted
	Do(t, app, "POST", "/api/v1/tokens", by, body).Want(t, 201, &m)
	if m.ID == "" || !strings.HasPrefix(m.Token, "bp_") {
		t.Fatalf("minted %+v", m)
	}
	return m
}

// ContestBody is a valid revenue leaderboard running from start for a month.
func ContestBody(name string, start time.Time) map[string]any {
	return map[string]any{
		"name": name, "metric": "revenue", "scope": "rep",
		"starts_at": start.UTC().Format(time.RFC3339), "ends_at": start.Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339),
		"timezone": "America/New_York", "prizes": []map[string]any{{"rank": 1, "points": 500}},
	}
}
