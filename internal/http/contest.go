package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
)

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
	if err := k.Normalize(); err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.DB.CreateContest(ctx, k); err != nil {
		return err
	}
	s.loadBoards(ctx, k.ID)
	stored, err := s.DB.Contest(ctx, k.ID) // as stored: times as the database gives them back
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.view(stored))
}

// loadBoards replaces a contest's boards in Redis with the ledger's, after a (re)count. The
// boards are emptied before the rows are read, so that a row an ingest batch writes meanwhile is
// either in what is read or newer than it (and kept: older versions never overwrite newer).
// A failure is logged, not returned: the change is committed, and a projection rebuild heals it.
func (s *Server) loadBoards(ctx context.Context, contestID string) {
	err := s.Store.DeleteContest(ctx, contestID)
	if err == nil {
		rows, rerr := s.DB.ContestRows(ctx, contestID)
		if err = rerr; err == nil {
			err = s.Store.SetRows(ctx, rows)
		}
	}
	if err != nil {
		s.Logger.Error("load contest boards into redis", "contest_id", contestID, "err", err)
	}
}

func (s *Server) listContests(c *fiber.Ctx) error {
	status := c.Query("status")
	if status != "" && !postgres.ValidContestStatus(status) {
		return bullpen.Invalid("status", "status must be scheduled, live, ended, final or cancelled")
	}
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	items, err := s.DB.Contests(c.UserContext(), postgres.ContestFilter{Status: status, Now: s.Now(), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	for _, k := range items {
		s.view(k)
	}
	return c.JSON(list[*contest.Contest]{items})
}

func (s *Server) getContest(c *fiber.Ctx) error {
	k, err := s.DB.Contest(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s.view(k))
}

func (s *Server) patchContest(c *fiber.Ctx) error {
	patch := bytes.TrimSpace(c.Body())
	var probe contestInput
	if err := decodeBody(patch, &probe); err != nil {
		return err
	}
	ctx := c.UserContext()
	k, effect, err := s.DB.ChangeContest(ctx, postgres.ContestChange{
		ID: c.Params("id"), By: tokenIDOf(c), Action: "contest.update", Detail: json.RawMessage(patch), Rules: true,
		Apply: func(k *contest.Contest) (postgres.ContestEffect, error) { return s.applyPatch(k, patch) },
	})
	if err != nil {
		return err
	}
	s.forgetContest(k.ID)
	if effect == postgres.Recount {
		s.loadBoards(ctx, k.ID)
	}
	return c.JSON(s.view(k))
}

// applyPatch merges a JSON merge patch (RFC 7386) over a stored contest. A scheduled contest
// takes any change; once it has started only its name may change, since its board already
// counts by its rules.
func (s *Server) applyPatch(k *contest.Contest, patch []byte) (postgres.ContestEffect, error) {
	status := k.StatusAt(s.Now())
	if status == contest.StatusFinal || status == contest.StatusCancelled {
		return postgres.Unchanged, bullpen.Errorf(bullpen.EConflict, "the contest is %s: it can no longer change", status)
	}
	merged, err := mergeJSON(inputOf(k), patch)
	if err != nil {
		return postgres.Unchanged, err
	}
	var in contestInput
	if err := decodeBody(merged, &in); err != nil {
		return postgres.Unchanged, err
	}
	old := *k
	in.applyTo(k)
	if err := k.Normalize(); err != nil {
		return postgres.Unchanged, err
	}
	field, same := contest.SameRules(&old, k)
	switch {
	case same && old.Name == k.Name:
		return postgres.Unchanged, nil
	case same:
		return postgres.Changed, nil
	case status == contest.StatusScheduled:
		return postgres.Recount, nil
	}
	return postgres.Unchanged, &bullpen.Error{Code: bullpen.EConflict, Field: field, Message: fmt.Sprintf(
		"%s cannot change: the contest is %s, and once a contest has started only its name can change (end it early instead)", field, status)}
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
	return s.changeContest(c, "contest.end", func(k *contest.Contest) (postgres.ContestEffect, error) {
		switch status := k.StatusAt(s.Now()); status {
		case contest.StatusFinal, contest.StatusCancelled:
			return postgres.Unchanged, bullpen.Errorf(bullpen.EConflict, "the contest is %s", status)
		case contest.StatusScheduled:
			return postgres.Unchanged, bullpen.Errorf(bullpen.EConflict, "the contest has not started: cancel it instead")
		case contest.StatusEnded:
			return postgres.Unchanged, nil
		}
		now := s.Now()
		k.EndedAt = &now
		return postgres.Changed, nil
	})
}

func (s *Server) cancelContest(c *fiber.Ctx) error {
	return s.changeContest(c, "contest.cancel", func(k *contest.Contest) (postgres.ContestEffect, error) {
		switch status := k.StatusAt(s.Now()); status {
		case contest.StatusFinal:
			return postgres.Unchanged, bullpen.Errorf(bullpen.EConflict, "the contest is final: its prizes are paid")
		case contest.StatusCancelled:
			return postgres.Unchanged, nil
		}
		now := s.Now()
		k.CancelledAt = &now
		return postgres.Changed, nil
	})
}

func (s *Server) changeContest(c *fiber.Ctx, action string, apply func(*contest.Contest) (postgres.ContestEffect, error)) error {
	k, _, err := s.DB.ChangeContest(c.UserContext(), postgres.ContestChange{
		ID: c.Params("id"), By: tokenIDOf(c), Action: action, Apply: apply,
	})
	if err != nil {
		return err
	}
	s.forgetContest(k.ID)
	return c.JSON(s.view(k))
}

// forgetContest drops a changed contest from this node's cache (other nodes hold it for at most
// contestTTL).
func (s *Server) forgetContest(id string) {
	s.contests.dropIf(func(k *contest.Contest) bool { return k.ID == id })
}
