package http

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/export"
	"bullpen/internal/history"
	"bullpen/internal/standings"
)

// Exporter streams the rows of the CSV exports from the ledger, calling fn for each as it is
// read; an error from fn stops the read.
type Exporter interface {
	ExportStandings(ctx context.Context, k *contest.Contest, periodKey string, fn func(*export.StandingRow) error) error
	ExportLedger(ctx context.Context, f export.LedgerFilter, fn func(*export.LedgerRow) error) error
	ExportWinners(ctx context.Context, f export.WinnerFilter, fn func(*export.WinnerRow) error) error
	ExportAttainment(ctx context.Context, f export.AttainmentFilter, fn func(*export.AttainmentRow) error) error
	// BoardFinalizedAt is when a board became final; nil while it is not.
	BoardFinalizedAt(ctx context.Context, contestID, periodKey string) (*time.Time, error)
}

func (s *Server) exportStandings(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id := c.Query("contest_id")
	if id == "" {
		return bullpen.Invalid("contest_id", "contest_id is required")
	}
	k, err := s.ContestReader.Contest(ctx, id)
	if err != nil {
		return err
	}
	p, err := s.periodOf(k, c.Query("period"))
	if err != nil {
		return err
	}
	fin, err := s.Exporter.BoardFinalizedAt(ctx, k.ID, p.Key)
	if err != nil {
		return err
	}
	w := standings.Window(k, p)
	board := &export.Board{Contest: k, Key: p.Key, Start: w.Start, End: w.End, Final: fin != nil,
		Status: history.Status(k, w, fin, s.Now()), Currency: s.Currency}
	name := export.FileName("standings", k.Name, p.Key)
	return s.streamCSV(c, name, export.StandingsColumns, func(ctx context.Context, cw *export.Writer) error {
		return s.Exporter.ExportStandings(ctx, k, p.Key, func(r *export.StandingRow) error { return board.Write(cw, r) })
	})
}

func (s *Server) exportLedger(c *fiber.Ctx) error {
	r, err := export.ParseRange(c.Query("from"), c.Query("to"), true)
	if err != nil {
		return err
	}
	f := export.LedgerFilter{Range: *r, RepID: c.Query("rep_id"), TeamID: c.Query("team_id")}
	name := export.FileName("ledger", c.Query("from"), c.Query("to"), f.RepID, f.TeamID)
	return s.streamCSV(c, name, export.LedgerColumns, func(ctx context.Context, cw *export.Writer) error {
		return s.Exporter.ExportLedger(ctx, f, func(r *export.LedgerRow) error { return r.Write(cw) })
	})
}

func (s *Server) exportWinners(c *fiber.Ctx) error {
	f := export.WinnerFilter{IncentiveID: c.Query("incentive_id")}
	r, err := export.ParseRange(c.Query("from"), c.Query("to"), f.IncentiveID == "")
	if err != nil {
		return err
	}
	f.Range = r
	if f.IncentiveID != "" {
		if _, err := s.IncentiveReader.Incentive(c.UserContext(), f.IncentiveID); err != nil {
			return err
		}
	}
	name := export.FileName("incentive-winners", f.IncentiveID, c.Query("from"), c.Query("to"))
	currency := s.Currency
	return s.streamCSV(c, name, export.WinnerColumns, func(ctx context.Context, cw *export.Writer) error {
		return s.Exporter.ExportWinners(ctx, f, func(r *export.WinnerRow) error { return r.Write(cw, currency) })
	})
}

func (s *Server) exportAttainment(c *fiber.Ctx) error {
	f, err := export.ParseAttainmentFilter(c.Query("period"), c.Query("team_id"))
	if err != nil {
		return err
	}
	name := export.FileName("attainment", f.Period, f.TeamID)
	currency := s.Currency
	return s.streamCSV(c, name, export.AttainmentColumns, func(ctx context.Context, cw *export.Writer) error {
		return s.Exporter.ExportAttainment(ctx, f, func(r *export.AttainmentRow) error { return r.Write(cw, currency) })
	})
}
