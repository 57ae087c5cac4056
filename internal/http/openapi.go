package http

import (
	"github.com/gofiber/fiber/v2"

	"bullpen/docs"
)

// openAPI serves the embedded OpenAPI document. It is public: a client needs it before it has
// a token, and it holds nothing secret.
func (s *Server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(docs.OpenAPI)
}
