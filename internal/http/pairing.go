package http

import (
	"context"
	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/screen"
)

// PairingService is pairing by code (service.Pairings).
type PairingService interface {
	Start(ctx context.Context) (screen.Started, error)
	Claim(ctx context.Context, by bullpen.Token, code, screenID, name string) (screen.Pairing, error)
	Collect(ctx context.Context, secret string) (screen.Pairing, *bullpen.Token, string, error)
}

// Pairing by code (docs/api.md §3 "Pairing a display"). Starting and collecting need no token:
// a display without one does them. What bounds guessing is the client address's budget of
// refused tokens (BULLPEN_RATE_LIMIT_AUTH_FAILURES): a pairing started, a code that claims
// nothing and a secret that collects nothing each spend one.

func (s *Server) startPairing(c *fiber.Ctx) error {
	if d := s.take(c, s.failuresKey(c), s.AuthFailures, 1); !d.Allowed {
		return limited(c, d, "pairings or refused tokens from this address")
	}
	p, err := s.Pairings.Start(c.UserContext())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

type collectInput struct {
	Secret string `json:"secret"`
}

func (s *Server) collectPairing(c *fiber.Ctx) error {
	var in collectInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	var p screen.Pairing
	var t *bullpen.Token
	var secret string
	err := s.guess(c, func() (err error) {
		p, t, secret, err = s.Pairings.Collect(c.UserContext(), in.Secret)
		return err
	})
	if err != nil {
		return err
	}
	if t == nil {
		return c.JSON(fiber.Map{"status": screen.PairingPending, "expires_at": p.ExpiresAt})
	}
	return c.JSON(fiber.Map{"status": screen.PairingPaired, "token": secret, "token_id": t.ID, "screen_id": t.ScreenID, "name": t.Name})
}

type claimInput struct {
	Code     string `json:"code"`
	ScreenID string `json:"screen_id"`
	Name     string `json:"name"`
}

func (s *Server) claimPairing(c *fiber.Ctx) error {
	var in claimInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	var p screen.Pairing
	err := s.guess(c, func() (err error) {
		p, err = s.Pairings.Claim(c.UserContext(), tokenOf(c), in.Code, in.ScreenID, in.Name)
		return err
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token_id": p.TokenID, "screen_id": p.ScreenID, "name": p.TokenName,
		"claimed_at": p.ClaimedAt, "expires_at": p.ExpiresAt})
}

// guess runs a pairing step while the client address has refused tokens left; a step that finds
// nothing (a wrong code, an unknown secret) spends one, as a refused token does.
func (s *Server) guess(c *fiber.Ctx, step func() error) error {
	if d := s.take(c, s.failuresKey(c), s.AuthFailures, 0); !d.Allowed {
		return limited(c, d, "with refused tokens or pairing codes from this address")
	}
	err := step()
	if bullpen.ErrorCode(err) == bullpen.ENotFound {
		s.take(c, s.failuresKey(c), s.AuthFailures, 1)
	}
	return err
}
