package http

import (
	"regexp"
	"strings"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
)

// The pages' Content-Security-Policy (README "Security headers"). Scripts and styles come from
// this origin only, never inline, and markup is never built from strings: Trusted Types make
// innerHTML and its kin throw, so a name from an event can only ever be text. Images: this
// origin and the data: favicons (the QR codes are SVG built node by node). No form submits by
// itself (every form is handled by its page's script, and a token must never end up in a
// URL). connect-src names the socket's ws:/wss: origin besides 'self', for the browsers
// (Safari before 16) where 'self' does not cover WebSocket schemes.
const (
	pagePolicyHead = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
	pagePolicyTail = "; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'" +
		"; require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors "
	// apiPolicy: a JSON or CSV answer opened as a document runs and loads nothing.
	apiPolicy = "default-src 'none'; frame-ancestors 'none'"
)

// socketHost is a Host the page's own socket URL may name in its policy: a name or an IPv4 or
// bracketed IPv6 address, with an optional port. Anything else (a Host with spaces or ';'
// could add directives) leaves the policy at 'self'.
var socketHost = regexp.MustCompile(`^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$`)

// securityHeaders sets the security headers of every answer but a socket's upgrade: the fixed
// ones through helmet, then the Content-Security-Policy, which names the request's own host,
// and who may frame the page. Only the wall display may be framed, and only by the origins of
// BULLPEN_FRAME_ANCESTORS (digital-signage players): the console and /me hold tokens and
// buttons worth clickjacking.
func securityHeaders(frameAncestors []string) (fixed, policy fiber.Handler) {
	displayAncestors := "'none'"
	if len(frameAncestors) > 0 {
		displayAncestors = strings.Join(frameAncestors, " ")
	}
	skip := func(c *fiber.Ctx) bool { return websocket.IsWebSocketUpgrade(c) }
	fixed = helmet.New(helmet.Config{
		Next:                      skip,
		XSSProtection:             "0", // the old filter is gone or harmful; the policy replaces it
		ContentTypeNosniff:        "nosniff",
		XFrameOptions:             "DENY", // for browsers without frame-ancestors; see below
		ReferrerPolicy:            "no-referrer",
		CrossOriginOpenerPolicy:   "same-origin",
		CrossOriginEmbedderPolicy: "require-corp", // everything a page loads is its own origin's
		CrossOriginResourcePolicy: "same-origin",
		PermissionPolicy:          "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
	})
	policy = func(c *fiber.Ctx) error {
		if skip(c) {
			return c.Next()
		}
		if isAPI(c.Path()) {
			c.Set(fiber.HeaderContentSecurityPolicy, apiPolicy)
			return c.Next()
		}
		ancestors := "'none'"
		if isDisplay(c.Path()) && len(frameAncestors) > 0 {
			ancestors = displayAncestors
			// Safari 10 to 12 let X-Frame-Options win over frame-ancestors; every other browser
			// ignores it beside frame-ancestors. A framed display must not carry it.
			c.Response().Header.Del(fiber.HeaderXFrameOptions)
		}
		var b strings.Builder
		b.WriteString(pagePolicyHead)
		if host := c.Hostname(); socketHost.MatchString(host) {
			b.WriteString(" ws://" + host + " wss://" + host)
		}
		b.WriteString(pagePolicyTail)
		b.WriteString(ancestors)
		c.Set(fiber.HeaderContentSecurityPolicy, b.String())
		return c.Next()
	}
	return fixed, policy
}

// isAPI: the JSON and CSV endpoints and the operators' ones, which are never pages.
func isAPI(path string) bool {
	switch path {
	case HealthPath, ReadyPath, MetricsPath:
		return true
	}
	return strings.HasPrefix(path, "/api/")
}

// isDisplay: the wall display's document, however the router matched it (it ignores case and
// a trailing slash).
func isDisplay(path string) bool {
	path = strings.TrimRight(strings.ToLower(path), "/")
	return path == "/display" || path == "/display.html"
}
