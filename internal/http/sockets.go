package http

import (
	"context"
	"sort"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/live"
)

// Sockets is the live subsystem as the API mounts it: the socket endpoint, the wall displays
// it lists, a revoked or rotated token's sockets, and the drain on shutdown.
type Sockets interface {
	Handler() fiber.Handler
	Displays(ctx context.Context) ([]live.Display, error)
	Revoke(tokenID string)
	// Rotated tells every node that a token has a new secret, so its sockets learn when the
	// secret they authenticated with stops working.
	Rotated(tokenID string)
	Drain()
}

// MountSockets serves /ws and GET /api/v1/displays from l, closes a revoked token's sockets
// through it, and drains its sockets first on shutdown (they are told 1001 at once). Call it
// once, before serving.
func (s *Server) MountSockets(l Sockets) {
	s.sockets = l
	s.app.Get("/ws", l.Handler())
	s.api.Get("/displays", s.allow(staffRoles...), s.listDisplays)
}

func (s *Server) listDisplays(c *fiber.Ctx) error {
	items, err := s.sockets.Displays(c.UserContext())
	if err != nil {
		return err
	}
	sort.Slice(items, func(i, j int) bool {
		if !items[i].ConnectedAt.Equal(items[j].ConnectedAt) {
			return items[i].ConnectedAt.Before(items[j].ConnectedAt)
		}
		return items[i].TokenID < items[j].TokenID
	})
	return c.JSON(list[live.Display]{items})
}
