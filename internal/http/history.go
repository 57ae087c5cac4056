package http

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/history"
)

// HistoryReader reads contests' boards past and present, and reps' places on them, from the
// ledger.
type HistoryReader interface {
	// ContestBoards is a page of a contest's boards, newest period first.
	ContestBoards(ctx context.Context, k *contest.Contest, limit, offset int) ([]history.Board, error)
	// RepPlacings is where a rep (its current team, in team scope) stood on the last periods
	// boards of each contest it has a row in, with those contests.
	RepPlacings(ctx context.Context, rep bullpen.Rep, periods int) ([]history.Placing, map[string]*contest.Contest, error)
	// RepTargets is the rep's targets in the last periods periods of each metric and period
	// kind begun by now, with what the ledger counts for each.
	RepTargets(ctx context.Context, repID string, periods int, now time.Time) ([]history.TargetRow, error)
}

// PeriodsView is a contest's boards (GET /contests/{id}/periods).
type PeriodsView struct {
	ContestID string           `json:"contest_id"`
	Items     []history.Period `json:"items"`
}

// RepHistoryView is a rep's places contest by contest (GET /reps/{id}/history).
type RepHistoryView struct {
	RepID    string               `json:"rep_id"`
	Name     string               `json:"name"`
	TeamID   *string              `json:"team_id"`
	Periods  int                  `json:"periods"`
	Contests []history.RepContest `json:"contests"`
	Targets  []history.RepTarget  `json:"targets"`
}

func (s *Server) contestPeriods(c *fiber.Ctx) error {
	ctx := c.UserContext()
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	k, err := s.sharedContest(ctx, id)
	if err != nil {
		return err
	}
	boards, err := s.HistoryReader.ContestBoards(ctx, k, limit, offset)
	if err != nil {
		return err
	}
	dir, err := s.directory(ctx, history.Entrants(k, boards))
	if err != nil {
		return err
	}
	return c.JSON(PeriodsView{ContestID: k.ID, Items: history.Periods(k, boards, dir, s.Now())})
}

func (s *Server) repHistory(c *fiber.Ctx) error {
	ctx := c.UserContext()
	repID, err := pathID(c)
	if err != nil {
		return err
	}
	// A rep's history is as private as its ledger: staff read anyone's, a rep its own.
	if !mayReadLedger(tokenOf(c), repID) {
		return bullpen.Errorf(bullpen.EPermission, "only managers, admins and the rep itself may read a rep's history")
	}
	periods, err := intQuery(c, "periods", 12, 1, history.MaxPeriods)
	if err != nil {
		return err
	}
	rep, err := s.RepReader.Rep(ctx, repID)
	if err != nil {
		return err
	}
	placings, contests, err := s.HistoryReader.RepPlacings(ctx, rep, periods)
	if err != nil {
		return err
	}
	now := s.Now()
	targets, err := s.HistoryReader.RepTargets(ctx, rep.RepID, periods, now)
	if err != nil {
		return err
	}
	return c.JSON(RepHistoryView{RepID: rep.RepID, Name: rep.Name, TeamID: nullIfEmpty(rep.TeamID), Periods: periods,
		Contests: history.Rep(rep, contests, placings, now), Targets: history.RepTargets(targets, now)})
}
