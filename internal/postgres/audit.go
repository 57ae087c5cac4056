package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
)

// Audit reads a page of the audit trail, newest first, with each actor's name and role when
// the token is known. Each filter is written into the query only when given, so the planner
// sees plain conditions that the trail's indexes serve (010_audit.sql).
func (db *DB) Audit(ctx context.Context, f audit.Filter) (audit.Page, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Actor != "" {
		where = append(where, "c.by = "+arg(f.Actor))
	}
	if f.Kind != "" {
		where = append(where, "c.kind = "+arg(f.Kind))
		if f.Subject != "" {
			where = append(where, "c.subject = "+arg(f.Subject))
		}
	}
	if !f.Since.IsZero() {
		where = append(where, "c.at >= "+arg(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, "c.at < "+arg(f.Until))
	}
	if f.After != nil {
		where = append(where, "(c.at, c.id) < ("+arg(f.After.At)+", "+arg(f.After.ID)+")")
	}
	sql := `SELECT c.id, c.at, c.by, coalesce(t.name, ''), coalesce(t.role, ''), c.action, c.kind, c.subject,
			c.before, c.after, c.detail
		FROM changes c LEFT JOIN tokens t ON t.id = c.by`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	// One more than the page, to know whether another follows.
	sql += " ORDER BY c.at DESC, c.id DESC LIMIT " + arg(f.Limit+1)
	rows, err := db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return audit.Page{}, fmt.Errorf("read the audit trail: %w", err)
	}
	items, err := pgx.CollectRows(rows, scanEntry)
	if err != nil {
		return audit.Page{}, fmt.Errorf("read the audit trail: %w", err)
	}
	page := audit.Page{Items: items}
	if len(items) > f.Limit {
		page.Items = items[:f.Limit]
		last := page.Items[f.Limit-1]
		page.Next = audit.Cursor{At: last.At, ID: last.ID}.Encode()
	}
	return page, nil
}

func scanEntry(row pgx.CollectableRow) (audit.Entry, error) {
	var e audit.Entry
	var kind, subject, role string
	var before, after audit.Fields
	var detail []byte
	if err := row.Scan(&e.ID, &e.At, &e.Actor.TokenID, &e.Actor.Name, &role, &e.Action, &kind, &subject,
		&before, &after, &detail); err != nil {
		return e, err
	}
	e.At = e.At.UTC()
	e.Actor.Role = bullpen.Role(role)
	if e.Actor.TokenID == bullpen.AdminTokenID {
		e.Actor.Role = bullpen.RoleAdmin // the bootstrap token is not stored
	}
	e.Entity = audit.Entity(kind, subject)
	e.Before, e.After = before, after
	if string(detail) != "{}" {
		e.Detail = detail
	}
	return e, nil
}
