package http

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientAddr is the address a request came from, as the limit on refused tokens counts it. The
// connection's own address, unless it is one of the trusted proxies (BULLPEN_TRUSTED_PROXIES):
// then X-Forwarded-For is read from the right, each proxy having appended the address it was
// reached from, and the first address that is not a trusted proxy is the client. Entries to
// its left are whatever the client sent, so a guesser cannot pick its own address by sending
// the header. With no trusted proxy, every request behind an ingress would share the ingress's
// address, and one guesser would lock every client out.
func (s *Server) clientAddr(c *fiber.Ctx) string {
	remote, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	remote = remote.Unmap()
	if !s.trusted(remote) {
		return remote.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a hop that is not an address: nothing to its left can be believed
		}
		if a = a.Unmap(); !s.trusted(a) {
			return a.String()
		}
		remote = a
	}
	return remote.String() // the client is a trusted proxy itself, or named none
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
