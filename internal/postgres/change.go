package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is what both the pool and a transaction offer, so a query can run inside the
// caller's transaction or on its own.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// RecordChange appends to the audit trail: which token (by) did what (action) to which thing.
// Call it inside the transaction that makes the change, so the trail never lies.
func RecordChange(ctx context.Context, q Querier, by, action, subject string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	if detail == nil {
		b = []byte("{}")
	}
	if _, err := q.Exec(ctx, `INSERT INTO changes (by, action, subject, detail) VALUES ($1, $2, $3, $4)`,
		by, action, subject, b); err != nil {
		return fmt.Errorf("record %s of %s: %w", action, subject, err)
	}
	return nil
}
