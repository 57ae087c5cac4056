package http

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/message"
)

// RepReader reads the rep directory.
type RepReader interface {
	// SearchReps finds reps by id or name.
	SearchReps(ctx context.Context, q string, limit, offset int) ([]bullpen.Rep, error)
	Rep(ctx context.Context, id string) (bullpen.Rep, error)
	// RepsByID are the reps of ids that exist.
	RepsByID(ctx context.Context, ids []string) (map[string]bullpen.Rep, error)
}

// RepView is a rep's page (GET /reps/{id}).
type RepView struct {
	RepID     string        `json:"rep_id"`
	Name      string        `json:"name"`
	TeamID    *string       `json:"team_id"`
	Standings []RepStanding `json:"standings"`
	// PointsBalance is the rep's own: absent for whoever may not see it (visibleTo).
	PointsBalance *int64 `json:"points_balance,omitempty"`
	// Attainment is the rep's attainment of each of its targets in the current period; empty
	// for whoever may not see it.
	Attainment []message.Attainment `json:"attainment"`
}

// RepStanding is the rep's row on one open contest's current board.
type RepStanding struct {
	ContestID string        `json:"contest_id"`
	Rank      int64         `json:"rank"`
	Score     bullpen.Fixed `json:"score"`
}

func (s *Server) listReps(c *fiber.Ctx) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	reps, err := s.RepReader.SearchReps(c.UserContext(), c.Query("q"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(list[bullpen.Rep]{reps})
}

func (s *Server) getRep(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	see := visibleTo(tokenOf(c), id)
	p, err := s.readRepPage(c.UserContext(), id, see, true)
	if err != nil {
		return err
	}
	if !p.known {
		return bullpen.Errorf(bullpen.ENotFound, "rep %s not found", id)
	}
	v := &RepView{RepID: p.rep.RepID, Name: p.rep.Name, TeamID: nullIfEmpty(p.rep.TeamID), Standings: p.standings, Attainment: []message.Attainment{}}
	if see.balance {
		v.PointsBalance = &p.balance
	}
	if see.attainment {
		v.Attainment = p.attainment
	}
	return c.JSON(v)
}

// repOf is a rep's directory entry, from the live projection's copy (written by the consumer
// after each commit that adds a rep or changes its name or team, with what PostgreSQL
// returned), else from PostgreSQL: a rep whose first event is committed but not projected yet,
// or a projection being rebuilt. bullpen.ENotFound for a rep neither has.
func (s *Server) repOf(ctx context.Context, id string) (bullpen.Rep, error) {
	dir, err := s.directory(ctx, []string{id})
	if err != nil {
		return bullpen.Rep{}, err
	}
	rep, ok := dir[id]
	if !ok {
		return rep, bullpen.Errorf(bullpen.ENotFound, "rep %s not found", id)
	}
	return rep, nil
}

// repPrivate is what of a rep's page a token may see beyond its public fields (name, team,
// standings), as docs/api.md "Who sees what" says.
type repPrivate struct{ balance, attainment bool }

// visibleTo is the one place that decides what of a rep's page a token may see: the rep itself,
// managers and admins everything; a wall display the rep's attainment too, as the team's
// targets board it shows has it, but not its points; another rep only the public fields.
func visibleTo(t bullpen.Token, repID string) repPrivate {
	switch {
	case t.Role == bullpen.RoleAdmin || t.Role == bullpen.RoleManager || t.Role == bullpen.RoleRep && t.RepID == repID:
		return repPrivate{balance: true, attainment: true}
	case t.Role == bullpen.RoleDisplay:
		return repPrivate{attainment: true}
	}
	return repPrivate{}
}
