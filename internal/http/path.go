package http

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

// pathID is the route's {id}, percent-decoded: Fiber's Params gives the segment as sent
// (`Q4%20push`), and its UnescapePath would decode before routing (an encoded `/` would then
// split the segment, `+` would turn into a space, and a malformed escape would pass as
// written). A malformed escape (`%zz`) or an id PostgreSQL cannot hold (NUL, bytes that are
// not UTF-8) is invalid_argument naming `id`. Like Params, the result may be Fiber's memory:
// clone it where it outlives the request.
func pathID(c *fiber.Ctx) (string, error) {
	raw := c.Params("id")
	id, err := url.PathUnescape(raw)
	if err != nil {
		return "", bullpen.Invalid("id", "the id in the path is not percent-encoded properly: %v", err)
	}
	if !bullpen.Storable(id) {
		return "", bullpen.Invalid("id", "the id in the path must be UTF-8 text without NUL characters")
	}
	return id, nil
}
