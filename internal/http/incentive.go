package http

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/incentive"
)

// IncentiveService is the incentive use-cases (service.Incentives). Each returns the incentive
// as stored.
type IncentiveService interface {
	Create(ctx context.Context, i *incentive.Incentive) (*incentive.Incentive, error)
	End(ctx context.Context, id, by string) (*incentive.Incentive, error)
}

// IncentiveReader reads incentives with their winners.
type IncentiveReader interface {
	Incentive(ctx context.Context, id string) (*incentive.Incentive, error)
	// Incentives lists those with the given status at now ("" for all).
	Incentives(ctx context.Context, status string, limit, offset int, now time.Time) ([]*incentive.Incentive, error)
}

// incentiveInput is what a client may set on a spot incentive (docs/api.md §3); every other field
// is the server's, and sending one is refused as an unknown field.
type incentiveInput struct {
	Title        string              `json:"title"`
	Condition    incentive.Condition `json:"condition"`
	RewardPoints int64               `json:"reward_points"`
	MaxWinners   int                 `json:"max_winners"`
	StartsAt     time.Time           `json:"starts_at"` // zero: now
	EndsAt       time.Time           `json:"ends_at"`
	Audience     *incentive.Audience `json:"audience"`
}

// viewIncentive is an incentive as shown, with its status now.
func (s *Server) viewIncentive(i *incentive.Incentive) *incentive.Incentive {
	i.Status = i.StatusAt(s.Now())
	return i
}

func (s *Server) createIncentive(c *fiber.Ctx) error {
	var in incentiveInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	i := &incentive.Incentive{Title: in.Title, Condition: in.Condition, RewardPoints: in.RewardPoints,
		MaxWinners: in.MaxWinners, StartsAt: in.StartsAt, EndsAt: in.EndsAt, Audience: in.Audience,
		CreatedBy: tokenIDOf(c)}
	stored, err := s.Incentives.Create(c.UserContext(), i)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.viewIncentive(stored))
}

func (s *Server) listIncentives(c *fiber.Ctx) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	items, err := s.IncentiveReader.Incentives(c.UserContext(), c.Query("status"), limit, offset, s.Now())
	if err != nil {
		return err
	}
	for _, i := range items {
		s.viewIncentive(i)
	}
	return c.JSON(list[*incentive.Incentive]{items})
}

func (s *Server) getIncentive(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	i, err := s.IncentiveReader.Incentive(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(s.viewIncentive(i))
}

func (s *Server) endIncentive(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	i, err := s.Incentives.End(c.UserContext(), id, tokenIDOf(c))
	if err != nil {
		return err
	}
	return c.JSON(s.viewIncentive(i))
}
