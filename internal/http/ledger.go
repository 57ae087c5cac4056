package http

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

// AdjustmentService is the manual ledger entry use-case (service.Ledger): the entry as recorded
// and the rep's balance after it.
type AdjustmentService interface {
	Adjust(ctx context.Context, repID string, points int64, note, by string) (bullpen.LedgerEntry, bullpen.Balance, error)
}

// LedgerReader reads reps' points ledgers.
type LedgerReader interface {
	// Ledger is a page of a rep's entries, newest first, with its balance and entry count.
	Ledger(ctx context.Context, repID string, limit, offset int) ([]bullpen.LedgerEntry, int64, int, error)
	// Balances are the balances of repIDs as the ledger sums them.
	Balances(ctx context.Context, repIDs []string) (map[string]bullpen.Balance, error)
}

// BalanceCache is the live projection's copy of reps' balances.
type BalanceCache interface {
	// InitBalances sets the balances the projection has none of, leaving any it has.
	InitBalances(ctx context.Context, balances map[string]bullpen.Balance) error
}

// LedgerView is a rep's points ledger (GET /reps/{id}/ledger): its balance and a page of its
// entries, newest first. Total (an extension) is the number of entries, for paging.
type LedgerView struct {
	RepID   string                `json:"rep_id"`
	Balance int64                 `json:"balance"`
	Total   int                   `json:"total"`
	Entries []bullpen.LedgerEntry `json:"entries"`
}

// AdjustmentView is a manual entry as recorded, with the rep's balance after it.
type AdjustmentView struct {
	bullpen.LedgerEntry
	Balance int64 `json:"balance"`
}

type adjustmentInput struct {
	Points *int64 `json:"points"`
	Note   string `json:"note"`
}

// mayReadLedger: staff read every rep's ledger, a rep only its own.
func mayReadLedger(t bullpen.Token, repID string) bool {
	switch t.Role {
	case bullpen.RoleAdmin, bullpen.RoleManager:
		return true
	case bullpen.RoleRep:
		return t.RepID == repID
	}
	return false
}

func (s *Server) repLedger(c *fiber.Ctx) error {
	repID, err := pathID(c)
	if err != nil {
		return err
	}
	if !mayReadLedger(tokenOf(c), repID) {
		return bullpen.Errorf(bullpen.EPermission, "only managers, admins and the rep itself may read a rep's ledger")
	}
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	entries, balance, total, err := s.LedgerReader.Ledger(c.UserContext(), repID, limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(LedgerView{RepID: repID, Balance: balance, Total: total, Entries: entries})
}

func (s *Server) postAdjustment(c *fiber.Ctx) error {
	var in adjustmentInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	if in.Points == nil {
		return bullpen.Invalid("points", "points is required")
	}
	repID, err := pathID(c)
	if err != nil {
		return err
	}
	repID = strings.Clone(repID) // Fiber's strings die with the request
	e, balance, err := s.Adjustments.Adjust(c.UserContext(), repID, *in.Points, in.Note, tokenIDOf(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(AdjustmentView{LedgerEntry: e, Balance: balance.Points})
}
