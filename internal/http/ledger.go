package http

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

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
	repID := c.Params("id")
	if !mayReadLedger(tokenOf(c), repID) {
		return bullpen.Errorf(bullpen.EPermission, "only managers, admins and the rep itself may read a rep's ledger")
	}
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	entries, balance, total, err := s.DB.Ledger(c.UserContext(), repID, limit, offset)
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
	if err := bullpen.ValidateAdjustment(*in.Points, in.Note); err != nil {
		return err
	}
	ctx := c.UserContext()
	repID := strings.Clone(c.Params("id")) // Fiber's strings die with the request
	e, balance, err := s.DB.AddAdjustment(ctx, repID, *in.Points, in.Note, tokenIDOf(c))
	if err != nil {
		return err
	}
	// The ledger is the truth: a projection that missed this is healed by the consumer's
	// rebuild, so the committed entry is reported either way.
	// The balance carries its version, so a concurrent writer's newer balance that reached Redis
	// first is kept.
	if err := s.Store.SetBalances(ctx, map[string]bullpen.Balance{repID: balance}); err != nil {
		s.Logger.Warn("write balance to redis", "rep_id", repID, "err", err)
	}
	return c.Status(fiber.StatusCreated).JSON(AdjustmentView{LedgerEntry: e, Balance: balance.Points})
}

// pointsBalance is a rep's points balance: from the projection, or from the ledger when the
// projection has none (Redis lost or flushed), which then fills it in.
func (s *Server) pointsBalance(ctx context.Context, repID string) (int64, error) {
	b, ok, redisErr := s.Store.Balance(ctx, repID)
	if ok {
		return b, nil
	}
	if redisErr != nil {
		s.Logger.Warn("read balance from redis; reading the ledger", "rep_id", repID, "err", redisErr)
	}
	balances, err := s.DB.Balances(ctx, []string{repID})
	if err != nil {
		return 0, err
	}
	balance := balances[repID]
	if redisErr == nil {
		if _, err := s.Store.InitBalance(ctx, repID, balance); err != nil {
			s.Logger.Warn("write balance to redis", "rep_id", repID, "err", err)
		}
	}
	return balance.Points, nil
}
