package http

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/screen"
)

// ScreenService is the screen use-cases (service.Screens). Each returns the screen as stored.
type ScreenService interface {
	Create(ctx context.Context, s *screen.Screen) (*screen.Screen, error)
	Replace(ctx context.Context, id, by string, s *screen.Screen, version int64) (*screen.Screen, error)
	Delete(ctx context.Context, id, by string) error
}

// ScreenReader reads screens.
type ScreenReader interface {
	Screen(ctx context.Context, id string) (*screen.Screen, error)
	Screens(ctx context.Context) ([]*screen.Screen, error)
}

// screenInput is what a client sets of a screen (docs/api.md §3 "Screens"); PUT may also name
// the version it edited.
type screenInput struct {
	Name           string         `json:"name"`
	Slides         []screen.Slide `json:"slides"`
	Seconds        int            `json:"seconds"`
	Amounts        string         `json:"amounts"`
	Sound          string         `json:"sound"`
	CelebrateTeams []string       `json:"celebrate_teams"`
	Version        int64          `json:"version"`
}

func (in screenInput) screen() *screen.Screen {
	return &screen.Screen{Name: in.Name, Slides: in.Slides, Seconds: in.Seconds, Amounts: in.Amounts, Sound: in.Sound,
		CelebrateTeams: in.CelebrateTeams}
}

func (s *Server) createScreen(c *fiber.Ctx) error {
	var in screenInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	if in.Version != 0 {
		return bullpen.Invalid("version", "a new screen has no version yet")
	}
	sc := in.screen()
	sc.CreatedBy = tokenIDOf(c)
	stored, err := s.Screens.Create(c.UserContext(), sc)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(stored)
}

func (s *Server) listScreens(c *fiber.Ctx) error {
	items, err := s.ScreenReader.Screens(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list[*screen.Screen]{items})
}

func (s *Server) getScreen(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sc, err := s.ScreenReader.Screen(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(sc)
}

func (s *Server) putScreen(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in screenInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	stored, err := s.Screens.Replace(c.UserContext(), strings.Clone(id), tokenIDOf(c), in.screen(), in.Version)
	if err != nil {
		return err
	}
	return c.JSON(stored)
}

func (s *Server) deleteScreen(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	id = strings.Clone(id)
	if err := s.Screens.Delete(c.UserContext(), id, tokenIDOf(c)); err != nil {
		return err
	}
	// Its display tokens are unbound: this node reads them again at once, the others when
	// they hear of the change (tokens.go), within tokenTTL.
	s.tokens.dropIf(func(t bullpen.Token) bool { return t.ScreenID == id })
	return c.SendStatus(fiber.StatusNoContent)
}
