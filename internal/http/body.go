package http

import (
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

// bodyRule is what a route takes in its body: the media types it reads and the largest body
// that fits it.
type bodyRule struct {
	types []string
	limit int
}

// A JSON request of the API is a few kilobytes; the routes that take batches say so here. The
// app's own limit (maxBody) is the ceiling, read before any route is known.
var (
	jsonBody   = bodyRule{types: []string{fiber.MIMEApplicationJSON}, limit: 256 << 10}
	bodyRoutes = map[string]bodyRule{
		"POST /api/v1/events": {types: []string{fiber.MIMEApplicationJSON}, limit: maxBody},
		"PUT /api/v1/targets": {types: []string{fiber.MIMEApplicationJSON, "text/csv"}, limit: maxBody},
	}
)

// checkBody answers 415 to a body in a media type the route does not read (a JSON endpoint
// given text/plain or a form) and 413 to one larger than the route takes, before any handler
// reads it. A request without a body passes.
func (s *Server) checkBody(c *fiber.Ctx) error {
	if len(c.Body()) == 0 {
		return c.Next()
	}
	rule, ok := bodyRoutes[c.Method()+" "+strings.TrimSuffix(c.Path(), "/")]
	if !ok {
		rule = jsonBody
	}
	media, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType)) // lowercased
	if err != nil || !slices.Contains(rule.types, media) {
		return c.Status(fiber.StatusUnsupportedMediaType).JSON(errorBody{errorDetail{Code: bullpen.EInvalid, Field: "Content-Type",
			Message: fmt.Sprintf("the body must be sent as %s, not %q", strings.Join(rule.types, " or "), c.Get(fiber.HeaderContentType))}})
	}
	if len(c.Body()) > rule.limit {
		return c.Status(fiber.StatusRequestEntityTooLarge).JSON(errorBody{errorDetail{Code: bullpen.EInvalid,
			Message: fmt.Sprintf("the body is larger than the %d bytes %s %s takes", rule.limit, c.Method(), c.Path())}})
	}
	return c.Next()
}
