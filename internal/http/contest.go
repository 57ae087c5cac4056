package http

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/service"
)

// ContestService is the contest use-cases (service.Contests). Each returns the contest as
// stored.
type ContestService interface {
	Create(ctx context.Context, c *contest.Contest) (*contest.Contest, error)
	Patch(ctx context.Context, p service.ContestPatch) (*contest.Contest, error)
	End(ctx context.Context, id, by string) (*contest.Contest, error)
	Cancel(ctx context.Context, id, by string) (*contest.Contest, error)
}

// ContestReader reads contests.
type ContestReader interface {
	Contest(ctx context.Context, id string) (*contest.Contest, error)
	Contests(ctx context.Context, f contest.Filter) ([]*contest.Contest, error)
	// OpenContests are the contests live, or ended and not yet final, at now.
	OpenContests(ctx context.Context, now time.Time) ([]*contest.Contest, error)
}

// contestInput is what a client may set on a contest; every other field is the server's, and
// sending one is refused as an unknown field.
type contestInput struct {
	Name         string                   `json:"name"`
	Kind         string                   `json:"kind"`
	Metric       string                   `json:"metric"`
	Weights      map[string]bullpen.Fixed `json:"weights"`
	Scope        string                   `json:"scope"`
	StartsAt     time.Time                `json:"starts_at"`
	EndsAt       *time.Time               `json:"ends_at"`
	Timezone     string                   `json:"timezone"`
	Period       string                   `json:"period"`
	Target       *bullpen.Fixed           `json:"target"`
	MaxWinners   int                      `json:"max_winners"`
	Participants *contest.Participants    `json:"participants"`
	Prizes       []contest.Prize          `json:"prizes"`
	MinScore     *bullpen.Fixed           `json:"min_score"`
}

func inputOf(c *contest.Contest) contestInput {
	return contestInput{c.Name, c.Kind, c.Metric, c.Weights, c.Scope, c.StartsAt, c.EndsAt,
		c.Timezone, c.Period, c.Target, c.MaxWinners, c.Participants, c.Prizes, c.MinScore}
}

// applyTo sets c's rules from in, keeping c's identity and history.
func (in contestInput) applyTo(c *contest.Contest) {
	c.Name, c.Kind, c.Metric, c.Weights, c.Scope = in.Name, in.Kind, in.Metric, in.Weights, in.Scope
	c.StartsAt, c.EndsAt, c.Timezone, c.Period = in.StartsAt, in.EndsAt, in.Timezone, in.Period
	c.Target, c.MaxWinners, c.Participants, c.Prizes, c.MinScore = in.Target, in.MaxWinners, in.Participants, in.Prizes, in.MinScore
}

// view is a contest as shown, with its status now.
func (s *Server) view(c *contest.Contest) *contest.Contest {
	c.Status = c.StatusAt(s.Now())
	return c
}

func (s *Server) createContest(c *fiber.Ctx) error {
	var in contestInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	k := &contest.Contest{CreatedBy: tokenIDOf(c)}
	in.applyTo(k)
	stored, err := s.Contests.Create(c.UserContext(), k)
	if err != nil {
		return err
	}
	s.forgetContest(c.UserContext(), stored.ID)
	return c.Status(fiber.StatusCreated).JSON(s.view(stored))
}

func (s *Server) listContests(c *fiber.Ctx) error {
	status := c.Query("status")
	if status != "" && !contest.ValidStatus(status) {
		return bullpen.Invalid("status", "status must be scheduled, live, ended, final or cancelled")
	}
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	items, err := s.ContestReader.Contests(c.UserContext(), contest.Filter{Status: status, Now: s.Now(), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	for _, k := range items {
		s.view(k)
	}
	return c.JSON(list[*contest.Contest]{items})
}

func (s *Server) getContest(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	k, err := s.ContestReader.Contest(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(s.view(k))
}

func (s *Server) patchContest(c *fiber.Ctx) error {
	patch := bullpen.TrimJSONSpace(c.Body())
	var probe contestInput
	if err := decodeBody(patch, &probe); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	k, err := s.Contests.Patch(c.UserContext(), service.ContestPatch{
		ID: id, By: tokenIDOf(c), Detail: json.RawMessage(patch),
		Edit: func(k *contest.Contest) error { return editByPatch(k, patch) },
	})
	if err != nil {
		return err
	}
	s.forgetContest(c.UserContext(), k.ID)
	return c.JSON(s.view(k))
}

// editByPatch merges a JSON merge patch (RFC 7386) over a stored contest's fields; the domain
// then decides whether the contest may take them (contest.Patch).
func editByPatch(k *contest.Contest, patch []byte) error {
	merged, err := mergeJSON(inputOf(k), patch)
	if err != nil {
		return err
	}
	var in contestInput
	if err := decodeBody(merged, &in); err != nil {
		return err
	}
	in.applyTo(k)
	return nil
}

// mergeJSON applies an RFC 7386 merge patch to base's JSON.
func mergeJSON(base any, patch []byte) ([]byte, error) {
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	var doc, p any
	if err := decodeNumbers(b, &doc); err != nil {
		return nil, err
	}
	if err := decodeNumbers(patch, &p); err != nil {
		return nil, bullpen.Invalid("", "the body is not valid JSON")
	}
	return json.Marshal(merge(doc, p))
}

// decodeNumbers keeps numbers as written, so decimals survive the round trip exactly.
func decodeNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func merge(doc, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	d, ok := doc.(map[string]any)
	if !ok {
		d = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(d, k)
		} else {
			d[k] = merge(d[k], v)
		}
	}
	return d
}

func (s *Server) endContest(c *fiber.Ctx) error {
	return s.changeContest(c, s.Contests.End)
}

func (s *Server) cancelContest(c *fiber.Ctx) error {
	return s.changeContest(c, s.Contests.Cancel)
}

func (s *Server) changeContest(c *fiber.Ctx, change func(ctx context.Context, id, by string) (*contest.Contest, error)) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	k, err := change(c.UserContext(), id, tokenIDOf(c))
	if err != nil {
		return err
	}
	s.forgetContest(c.UserContext(), k.ID)
	return c.JSON(s.view(k))
}

// forgetContest drops a changed (or new) contest, the open contests and the contest's
// leaderboard pages from this node's caches at once, and tells the other nodes to do the same
// (they hear it through their board notices; a node that does not holds them for at most
// contestTTL).
func (s *Server) forgetContest(ctx context.Context, id string) {
	s.forgetContestHere(id)
	s.publishContestChange(ctx, id)
}

// forgetContestHere drops what this node cached of a contest.
func (s *Server) forgetContestHere(id string) {
	s.contests.dropIf(func(k *contest.Contest) bool { return k.ID == id })
	s.open.dropIf(func([]*contest.Contest) bool { return true })
	s.boards.drop(id)
}
