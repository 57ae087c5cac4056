package http

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/achievement"
)

// AchievementService sets the badge rules (service.Achievements).
type AchievementService interface {
	PutRules(ctx context.Context, body []byte, by string) (achievement.Rules, error)
}

// AchievementReader reads the rules and reps' badges.
type AchievementReader interface {
	AchievementRules(ctx context.Context) (achievement.Rules, error)
	RepAchievements(ctx context.Context, repID string) ([]achievement.Award, error)
}

// RepBadges is GET /reps/{id}/achievements: the rep's badges, newest first.
type RepBadges struct {
	RepID string              `json:"rep_id"`
	Items []achievement.Badge `json:"items"`
}

func (s *Server) getAchievementRules(c *fiber.Ctx) error {
	r, err := s.AchievementReader.AchievementRules(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) putAchievementRules(c *fiber.Ctx) error {
	r, err := s.Achievements.PutRules(c.UserContext(), c.Body(), tokenIDOf(c))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// repAchievements lists a rep's badges to anyone (a badge is recognition, shown on the floor);
// the points each paid only to those who may read the rep's ledger.
func (s *Server) repAchievements(c *fiber.Ctx) error {
	repID, err := pathID(c)
	if err != nil {
		return err
	}
	awards, err := s.AchievementReader.RepAchievements(c.UserContext(), repID)
	if err != nil {
		return err
	}
	withPoints := mayReadLedger(tokenOf(c), repID)
	out := RepBadges{RepID: repID, Items: make([]achievement.Badge, len(awards))}
	for i, a := range awards {
		b := achievement.BadgeOf(a)
		if withPoints {
			b = b.WithPoints(a.Points)
		}
		out.Items[i] = b
	}
	return c.JSON(out)
}
