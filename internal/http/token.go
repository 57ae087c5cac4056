package http

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

// TokenService is the token use-cases (service.Tokens).
type TokenService interface {
	// Mint returns the new token and its secret, shown this once.
	Mint(ctx context.Context, by bullpen.Token, want bullpen.Token) (bullpen.Token, string, error)
	Revoke(ctx context.Context, by bullpen.Token, id string) error
}

// TokenReader reads tokens, and records their use.
type TokenReader interface {
	// TokenByHash is the live (unrevoked) token whose secret hashes to hash.
	TokenByHash(ctx context.Context, hash []byte) (bullpen.Token, error)
	TouchToken(ctx context.Context, id string) error
	Tokens(ctx context.Context, limit, offset int) ([]bullpen.Token, error)
}

type tokenInput struct {
	Role  bullpen.Role `json:"role"`
	RepID string       `json:"rep_id"`
	Name  string       `json:"name"`
}

func (s *Server) createToken(c *fiber.Ctx) error {
	var in tokenInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	t, secret, err := s.Tokens.Mint(c.UserContext(), tokenOf(c), bullpen.Token{Role: in.Role, RepID: in.RepID, Name: in.Name})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"id": t.ID, "token": secret, "role": t.Role, "rep_id": nullIfEmpty(t.RepID),
		"name": t.Name, "created_by": t.CreatedBy, "created_at": t.CreatedAt,
	})
}

func (s *Server) listTokens(c *fiber.Ctx) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	items, err := s.TokenReader.Tokens(c.UserContext(), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(list[bullpen.Token]{items})
}

func (s *Server) revokeToken(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := s.Tokens.Revoke(c.UserContext(), tokenOf(c), id); err != nil {
		return err
	}
	s.OnRevoke(strings.Clone(id)) // Fiber's strings die with the request
	return c.SendStatus(fiber.StatusNoContent)
}
