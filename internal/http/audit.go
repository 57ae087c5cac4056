package http

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/audit"
)

// AuditReader reads the audit trail.
type AuditReader interface {
	// Audit is a page of the trail, newest first, as f asks.
	Audit(ctx context.Context, f audit.Filter) (audit.Page, error)
}

// AuditView is a page of the trail (GET /audit): NextCursor, null on the last page, asks for
// the page after it.
type AuditView struct {
	Items      []audit.Entry `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

func (s *Server) listAudit(c *fiber.Ctx) error {
	limit, err := intQuery(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	f, err := audit.Parse(audit.Query{Actor: c.Query("actor"), Entity: c.Query("entity"), Since: c.Query("since"),
		Until: c.Query("until"), Cursor: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	page, err := s.AuditReader.Audit(c.UserContext(), f)
	if err != nil {
		return err
	}
	v := AuditView{Items: page.Items}
	if page.Next != "" {
		v.NextCursor = &page.Next
	}
	return c.JSON(v)
}
