package http

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

// TokenService is the token use-cases (service.Tokens).
type TokenService interface {
	// Mint returns the new token and its secret, shown this once.
	Mint(ctx context.Context, by bullpen.Token, want bullpen.Token) (bullpen.Token, string, error)
	Revoke(ctx context.Context, by bullpen.Token, id string) error
	// Rotate returns the token with its new secret, shown this once; the old secret works for
	// overlap more.
	Rotate(ctx context.Context, by bullpen.Token, id string, overlap time.Duration, expiresAt *time.Time) (bullpen.Token, string, error)
}

// TokenReader reads tokens, and records their use.
type TokenReader interface {
	// TokenByHash is the unrevoked token whose secret (or secret replaced by its last
	// rotation) hashes to hash, with SecretUntil and Replaced set; expired or not.
	TokenByHash(ctx context.Context, hash []byte) (bullpen.Token, error)
	TouchTokens(ctx context.Context, ids []string) error
	// LiveTokens calls fn with up to limit working tokens by the hash of each working secret,
	// and returns the last token change before it read them (TokenChanges).
	LiveTokens(ctx context.Context, limit int, fn func(hash []byte, t bullpen.Token)) (int64, error)
	// TokenChanges returns the last token change and the ids of the tokens changed after
	// since; complete is false when it cannot tell them all.
	TokenChanges(ctx context.Context, since int64) (last int64, ids []string, complete bool, err error)
	Tokens(ctx context.Context, limit, offset int) ([]bullpen.Token, error)
}

type tokenInput struct {
	Role      bullpen.Role `json:"role"`
	RepID     string       `json:"rep_id"`
	Name      string       `json:"name"`
	ExpiresAt *time.Time   `json:"expires_at"`
	ScreenID  string       `json:"screen_id"`
}

type rotateInput struct {
	Overlap   string     `json:"overlap"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func (s *Server) createToken(c *fiber.Ctx) error {
	var in tokenInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	t, secret, err := s.Tokens.Mint(c.UserContext(), tokenOf(c),
		bullpen.Token{Role: in.Role, RepID: in.RepID, Name: in.Name, ExpiresAt: in.ExpiresAt, ScreenID: in.ScreenID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(withSecret(t, secret))
}

// withSecret is a token as minting and rotating answer it: with its secret, this once.
func withSecret(t bullpen.Token, secret string) fiber.Map {
	m := fiber.Map{
		"id": t.ID, "token": secret, "role": t.Role, "rep_id": nullIfEmpty(t.RepID),
		"name": t.Name, "created_by": t.CreatedBy, "created_at": t.CreatedAt, "expires_at": t.ExpiresAt,
		"screen_id": nullIfEmpty(t.ScreenID),
	}
	if t.RotatedAt != nil {
		m["rotated_at"], m["previous_secret_until"] = t.RotatedAt, t.PreviousUntil
	}
	return m
}

func (s *Server) rotateToken(c *fiber.Ctx) error {
	in := rotateInput{}
	if len(c.Body()) > 0 {
		if err := decodeBody(c.Body(), &in); err != nil {
			return err
		}
	}
	overlap, err := bullpen.ParseOverlap(in.Overlap)
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	id = strings.Clone(id) // Fiber's strings die with the request
	t, secret, err := s.Tokens.Rotate(c.UserContext(), tokenOf(c), id, overlap, in.ExpiresAt)
	if err != nil {
		return err
	}
	// Every replica reads the token anew, and its sockets learn when their secret ends.
	s.ForgetToken(id)
	if s.sockets != nil {
		s.sockets.Rotated(id)
	}
	return c.JSON(withSecret(t, secret))
}

func (s *Server) listTokens(c *fiber.Ctx) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	s.flushTouches(c.UserContext())
	items, err := s.TokenReader.Tokens(c.UserContext(), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(list[bullpen.Token]{items})
}

func (s *Server) revokeToken(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.Tokens.Revoke(c.UserContext(), tokenOf(c), id); err != nil {
		return err
	}
	s.OnRevoke(strings.Clone(id)) // Fiber's strings die with the request
	return c.SendStatus(fiber.StatusNoContent)
}
