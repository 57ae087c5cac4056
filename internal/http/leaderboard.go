package http

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/standings"
)

// The board types are shared with the live channels.
type (
	Standings  = standings.Standings
	PeriodView = standings.PeriodView
	Entry      = standings.Entry
)

const maxRadius = 50

// Boards reads contests' boards in the live projection.
type Boards interface {
	// Range is a page of a board, best first, and the board's size.
	Range(ctx context.Context, contestID, periodKey string, offset, limit int64) ([]standings.Row, int64, error)
	// Position is an entrant's place on a board (0 first); false when it has no row.
	Position(ctx context.Context, contestID, periodKey, entrant string) (int64, bool, error)
	// Places are entrants' rows on several boards, read at once.
	Places(ctx context.Context, qs []standings.PlaceQuery) ([]standings.Placed, error)
}

// RepCache is the live projection's copy of the rep directory.
type RepCache interface {
	Reps(ctx context.Context, ids []string) (map[string]bullpen.Rep, error)
	// AddReps writes the entries it does not have, and leaves those it has (the consumer's,
	// which may be newer than what a reader found in PostgreSQL).
	AddReps(ctx context.Context, reps []bullpen.Rep) error
}

func (s *Server) leaderboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := pathID(c)
	if err != nil {
		return err
	}
	g := s.boards.gen(id) // before the contest is read: a change after this drops what we read
	k, err := s.sharedContest(ctx, id)
	if err != nil {
		return err
	}
	p, err := s.periodOf(k, c.Query("period"))
	if err != nil {
		return err
	}
	if around := c.Query("around"); around != "" {
		radius, err := intQuery(c, "radius", 2, 0, maxRadius)
		if err != nil {
			return err
		}
		rows, total, err := s.around(ctx, k.ID, p.Key, around, int64(radius))
		if err != nil {
			return err
		}
		st, err := s.standings(ctx, k, p, rows, total)
		if err != nil {
			return err
		}
		s.addPace(st, k)
		return c.JSON(st)
	}
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	body, err := s.boardPage(ctx, g, k, p, limit, offset)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

// addPace adds the pace figures to a leaderboard's standings, when the server has a calendar.
func (s *Server) addPace(st *Standings, k *contest.Contest) {
	if s.Calendar != nil {
		standings.AddPace(st, k, *s.Calendar, s.Now())
	}
}

// periodOf resolves ?period=: current (default), previous, or a local date inside the period.
func (s *Server) periodOf(k *contest.Contest, q string) (contest.Period, error) {
	cur := standings.CurrentPeriod(k, s.Now())
	switch q {
	case "", "current":
		return cur, nil
	case "previous":
		if !cur.Start.After(k.StartsAt) {
			return cur, bullpen.Errorf(bullpen.ENotFound, "the contest has no period before the current one")
		}
		return k.PeriodAt(cur.Start.Add(-time.Nanosecond)), nil
	}
	p, ok := k.PeriodByKey(q)
	if !ok {
		return p, bullpen.Invalid("period", "period must be current, previous or a date YYYY-MM-DD (a periodic contest only)")
	}
	end := k.EffectiveEnd()
	if (p.End != nil && !p.End.After(k.StartsAt)) || (end != nil && !p.Start.Before(*end)) {
		return p, bullpen.Errorf(bullpen.ENotFound, "the contest has no board for %s", q)
	}
	return p, nil
}

// around returns the entrant's row with radius rows each side, the window shifted at the top
// and bottom to keep 2*radius+1 rows when the board has them.
func (s *Server) around(ctx context.Context, contestID, periodKey, entrant string, radius int64) ([]standings.Row, int64, error) {
	pos, ok, err := s.Boards.Position(ctx, contestID, periodKey, entrant)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, bullpen.Errorf(bullpen.ENotFound, "%s has no row on this board", entrant)
	}
	// Read wide enough to cover either shift, then cut the window once the size is known.
	from := max(0, pos-2*radius)
	rows, total, err := s.Boards.Range(ctx, contestID, periodKey, from, 4*radius+1)
	if err != nil {
		return nil, 0, err
	}
	size := 2*radius + 1
	start := max(0, min(pos-radius, total-size))
	out := rows[:0]
	for _, r := range rows {
		if r.Position >= start && r.Position < start+size {
			out = append(out, r)
		}
	}
	return out, total, nil
}

func (s *Server) standings(ctx context.Context, k *contest.Contest, p contest.Period, rows []standings.Row, total int64) (*Standings, error) {
	dir, err := s.directory(ctx, standings.Entrants(k, rows))
	if err != nil {
		return nil, err
	}
	return standings.Build(k, p, s.Now(), rows, total, dir), nil
}

// directory finds reps' names and teams: in Redis, else in PostgreSQL (and then put back in
// Redis for the next reader).
func (s *Server) directory(ctx context.Context, ids []string) (map[string]bullpen.Rep, error) {
	dir, err := s.RepCache.Reps(ctx, ids)
	if err != nil {
		s.Logger.Warn("read rep directory from redis", "err", err)
		dir = map[string]bullpen.Rep{}
	}
	return s.fillDirectory(ctx, ids, dir)
}

// fillDirectory adds to dir the entries of ids it lacks, read from PostgreSQL, and puts them
// back in Redis for the next reader.
func (s *Server) fillDirectory(ctx context.Context, ids []string, dir map[string]bullpen.Rep) (map[string]bullpen.Rep, error) {
	var missing []string
	for _, id := range ids {
		if _, ok := dir[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return dir, nil
	}
	found, err := s.RepReader.RepsByID(ctx, missing)
	if err != nil {
		return nil, err
	}
	back := make([]bullpen.Rep, 0, len(found))
	for id, r := range found {
		dir[id] = r
		back = append(back, r)
	}
	if err := s.RepCache.AddReps(ctx, back); err != nil {
		s.Logger.Warn("write rep directory to redis", "err", err)
	}
	return dir, nil
}
