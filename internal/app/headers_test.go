package app_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"bullpen/internal/openapitest"
	"bullpen/internal/testenv"
)

// The headers every answer carries, whatever it is.
var everyAnswer = map[string]string{
	"X-Content-Type-Options":       "nosniff",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Embedder-Policy": "require-corp",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
	"X-Xss-Protection":             "0",
}

// pagePolicy is the pages' Content-Security-Policy for a page served at host, framed by
// ancestors: written out in full, so any change to it is a change to this test.
func pagePolicy(host, ancestors string) string {
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self' ws://" + host + " wss://" + host + "; object-src 'none'; base-uri 'none'; form-action 'none'; " +
		"frame-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors " + ancestors
}

const apiPolicy = "default-src 'none'; frame-ancestors 'none'"

type answer struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, base, path, token string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	openapitest.Check(t, openapitest.Exchange{Method: "GET", Path: req.URL.RequestURI(), Header: req.Header,
		Status: resp.StatusCode, ResHeader: resp.Header, ResBody: body})
	return answer{resp.StatusCode, resp.Header, string(body)}
}

// checkHeaders compares an answer's security headers with want (the CSP and X-Frame-Options;
// "" for a header that must be absent) and everyAnswer.
func checkHeaders(t *testing.T, what string, a answer, csp, xfo string) {
	t.Helper()
	want := map[string]string{"Content-Security-Policy": csp, "X-Frame-Options": xfo}
	for k, v := range everyAnswer {
		want[k] = v
	}
	for k, v := range want {
		if got := a.header.Values(k); (v == "" && len(got) != 0) || (v != "" && !slices.Equal(got, []string{v})) {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

func TestSecurityHeadersOnPagesAssetsAndAPI(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	base := startServer(t, cfg)
	host := strings.TrimPrefix(base, "http://")
	page := pagePolicy(host, "'none'")

	for _, c := range []struct{ path, contentType, csp, token string }{
		{"/display", "text/html", page, ""},
		{"/display.html", "text/html", page, ""},
		{"/me", "text/html", page, ""},
		{"/manage", "text/html", page, ""},
		{"/", "text/html", page, ""},
		{"/display.js", "javascript", page, ""},
		{"/vendor/qrcode.js", "javascript", page, ""},
		{"/manage.css", "text/css", page, ""},
		{"/api/v1/me", "application/json", apiPolicy, cfg.AdminToken},
		{"/api/v1/openapi.json", "application/json", apiPolicy, ""},
		{"/healthz", "application/json", apiPolicy, ""},
	} {
		a := get(t, base, c.path, c.token, nil)
		if a.status != 200 || !strings.Contains(a.header.Get("Content-Type"), c.contentType) {
			t.Errorf("GET %s: %d %s, want 200 %s", c.path, a.status, a.header.Get("Content-Type"), c.contentType)
		}
		checkHeaders(t, "GET "+c.path, a, c.csp, "DENY")
	}

	// Refusals carry them too: a bad token, a page that does not exist.
	checkHeaders(t, "GET /api/v1/me, bad token", get(t, base, "/api/v1/me", "not-a-token", nil), apiPolicy, "DENY")
	if a := get(t, base, "/nothing-here.html", "", nil); a.status != 404 {
		t.Errorf("GET /nothing-here.html: %d, want 404", a.status)
	} else {
		checkHeaders(t, "GET /nothing-here.html", a, page, "DENY")
	}

	// No inline script for the policy to refuse: every script is a file of this origin.
	for _, p := range []string{"/display", "/me", "/manage", "/"} {
		body := get(t, base, p, "", nil).body
		for _, bad := range []string{"<script>", " onload=", " onclick=", " onerror=", " style=", "javascript:"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: the page holds %q, which its policy refuses", p, bad)
			}
		}
	}

	// The socket's origin follows the host the browser asked for (behind a proxy: the forwarded
	// one), and a host that would add directives to the policy is left out of it.
	a := get(t, base, "/display", "", map[string]string{"Host": "floor.example.com:8443"})
	checkHeaders(t, "GET /display as floor.example.com:8443", a, pagePolicy("floor.example.com:8443", "'none'"), "DENY")
	a = get(t, base, "/me", "", map[string]string{"X-Forwarded-Host": "floor.example.com"})
	checkHeaders(t, "GET /me forwarded for floor.example.com", a, pagePolicy("floor.example.com", "'none'"), "DENY")
	a = get(t, base, "/me", "", map[string]string{"X-Forwarded-Host": "evil.example.com;script-src *"})
	noSocket := strings.Replace(page, " ws://"+host+" wss://"+host, "", 1)
	checkHeaders(t, "GET /me with a hostile host", a, noSocket, "DENY")
}

// BULLPEN_FRAME_ANCESTORS lets signage players frame the wall display, and nothing else.
func TestFrameAncestorsFrameTheDisplayOnly(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.FrameAncestors = []string{"https://signage.example.com", "https://*.players.example.net"}
	base := startServer(t, cfg)
	host := strings.TrimPrefix(base, "http://")

	framed := pagePolicy(host, "https://signage.example.com https://*.players.example.net")
	for _, p := range []string{"/display", "/display.html", "/display/"} {
		checkHeaders(t, "GET "+p, get(t, base, p, "", nil), framed, "")
	}
	for _, p := range []string{"/me", "/manage", "/", "/display.js"} {
		checkHeaders(t, "GET "+p, get(t, base, p, "", nil), pagePolicy(host, "'none'"), "DENY")
	}
	checkHeaders(t, "GET /api/v1/openapi.json", get(t, base, "/api/v1/openapi.json", "", nil), apiPolicy, "DENY")
	// The display's path in a query or a longer path is not the display.
	q := "/me?next=" + url.QueryEscape("/display")
	checkHeaders(t, "GET "+q, get(t, base, q, "", nil), pagePolicy(host, "'none'"), "DENY")
}
