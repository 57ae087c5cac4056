package http

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/incentive"
)

// incentiveInput is what a client may set on a spot incentive (contract §3); every other field
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
	if err := i.Normalize(s.Now()); err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.DB.CreateIncentive(ctx, i); err != nil {
		return err
	}
	stored, err := s.DB.Incentive(ctx, i.ID) // as stored: times as the database gives them back
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
	items, err := s.DB.Incentives(c.UserContext(), c.Query("status"), limit, offset, s.Now())
	if err != nil {
		return err
	}
	for _, i := range items {
		s.viewIncentive(i)
	}
	return c.JSON(list[*incentive.Incentive]{items})
}

func (s *Server) getIncentive(c *fiber.Ctx) error {
	i, err := s.DB.Incentive(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s.viewIncentive(i))
}

func (s *Server) endIncentive(c *fiber.Ctx) error {
	i, err := s.DB.EndIncentive(c.UserContext(), c.Params("id"), tokenIDOf(c), s.Now())
	if err != nil {
		return err
	}
	return c.JSON(s.viewIncentive(i))
}
