package http

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/flight"
)

var (
	anyRole     = []bullpen.Role{bullpen.RoleAdmin, bullpen.RoleManager, bullpen.RoleRep, bullpen.RoleDisplay}
	staffRoles  = []bullpen.Role{bullpen.RoleAdmin, bullpen.RoleManager}
	ingestRoles = []bullpen.Role{bullpen.RoleAdmin, bullpen.RoleIngest}
)

const tokenKey = "bullpen.token"

// touchEvery bounds how often a token's last_used_at is written: once a minute is precise
// enough for "last used", and keeps most reads from turning into writes.
const touchEvery = time.Minute

// Authenticate returns the token whose secret this is: the bootstrap admin token, or a live
// minted one whose secret still works.
func (s *Server) Authenticate(ctx context.Context, secret string) (bullpen.Token, error) {
	if secret == "" {
		return bullpen.Token{}, errNoSecret
	}
	return s.AuthenticateHash(ctx, bullpen.HashSecret(secret))
}

// AuthenticateHash is Authenticate by the secret's hash: sockets keep the hash, not the secret,
// to check it again when their token is rotated.
func (s *Server) AuthenticateHash(ctx context.Context, h []byte) (bullpen.Token, error) {
	if t, ok := s.known(h); ok {
		return t, nil
	}
	return s.lookup(ctx, h)
}

var errNoSecret = bullpen.Errorf(bullpen.EUnauthenticated, "a bearer token is required")

// known is the token of the secret hashed to h when it needs no read: the bootstrap admin token,
// or one this replica knows (tokens.go).
func (s *Server) known(h []byte) (bullpen.Token, bool) {
	// Comparing hashes keeps the comparison constant-time whatever the lengths.
	if s.adminHash != nil && subtle.ConstantTimeCompare(h, s.adminHash) == 1 {
		return bullpen.Token{ID: bullpen.AdminTokenID, Role: bullpen.RoleAdmin, Name: "bootstrap admin"}, true
	}
	now := s.Now()
	t, ok, touch := s.tokens.get(string(h), now)
	// An entry carries when its secret stops working: past that it is read again, and refused.
	if !ok || bullpen.CheckSecret(t, now) != nil {
		return bullpen.Token{}, false
	}
	if touch {
		s.touch(t.ID)
	}
	return t, true
}

// lookup reads the token of the secret hashed to h from the store.
func (s *Server) lookup(ctx context.Context, h []byte) (bullpen.Token, error) {
	// Requests and sockets bringing the same token at once (a reconnect storm of displays, a
	// page's parallel calls) read it once.
	return flight.Do(ctx, &s.authFlight, string(h), func(ctx context.Context) (bullpen.Token, error) {
		mark := s.tokens.mark()
		t, err := s.TokenReader.TokenByHash(ctx, h)
		if err != nil {
			return t, err
		}
		if err := bullpen.CheckSecret(t, s.Now()); err != nil {
			return bullpen.Token{}, err
		}
		now := s.Now()
		if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
			s.touch(t.ID)
			t.LastUsedAt = &now
		}
		s.tokens.put(string(h), t, now, mark)
		return t, nil
	})
}

func (s *Server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	scheme, secret, ok := strings.Cut(h, " ")
	if h == "" {
		return bullpen.Errorf(bullpen.EUnauthenticated, "missing Authorization: Bearer <token>")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return bullpen.Errorf(bullpen.EUnauthenticated, "the Authorization header must be Bearer <token>")
	}
	t, err := s.authenticateSecret(c, strings.TrimSpace(secret))
	if err != nil {
		return err
	}
	if d := s.takeLeased(c, "token:"+t.ID, s.PerToken); !d.Allowed {
		return limited(c, d, "with this token")
	}
	c.Locals(tokenKey, t)
	return c.Next()
}

// authenticateSecret is Authenticate with the client address's refused-token limit: a token the
// replica knows passes at once; any other is read only while the address has refusals left,
// and a refusal counts against it.
func (s *Server) authenticateSecret(c *fiber.Ctx, secret string) (bullpen.Token, error) {
	var h []byte
	if secret != "" {
		h = bullpen.HashSecret(secret)
		if t, ok := s.known(h); ok {
			return t, nil
		}
		if d := s.checkAddress(c); !d.Allowed {
			return bullpen.Token{}, limited(c, d, "with refused tokens from this address")
		}
	}
	var err error = errNoSecret
	if h != nil {
		var t bullpen.Token
		if t, err = s.lookup(c.UserContext(), h); err == nil {
			return t, nil
		}
	}
	if bullpen.ErrorCode(err) == bullpen.EUnauthenticated {
		if d := s.countRefusal(c); !d.Allowed {
			return bullpen.Token{}, limited(c, d, "with refused tokens from this address")
		}
	}
	return bullpen.Token{}, err
}

// tokenOf is the authenticated token of the request.
func tokenOf(c *fiber.Ctx) bullpen.Token {
	t, _ := c.Locals(tokenKey).(bullpen.Token)
	return t
}

func tokenIDOf(c *fiber.Ctx) string { return tokenOf(c).ID }

// allow lets through only the given roles.
func (s *Server) allow(roles ...bullpen.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t := tokenOf(c)
		for _, r := range roles {
			if t.Role == r {
				return c.Next()
			}
		}
		return bullpen.Errorf(bullpen.EPermission, "a %s token may not do this", t.Role)
	}
}

func (s *Server) me(c *fiber.Ctx) error {
	t := tokenOf(c)
	return c.JSON(fiber.Map{"token_id": t.ID, "role": t.Role, "rep_id": nullIfEmpty(t.RepID), "name": t.Name,
		"screen_id": nullIfEmpty(t.ScreenID)})
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ForgetToken drops a revoked or rotated token from the cache of this node.
func (s *Server) ForgetToken(tokenID string) {
	s.tokens.dropIf(func(t bullpen.Token) bool { return t.ID == tokenID })
}
