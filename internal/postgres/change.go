package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"bullpen/internal/audit"
)

// Querier is what both the pool and a transaction offer, so a query can run inside the
// caller's transaction or on its own.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// RecordChange appends to the audit trail: which token (by) did what (action) to which thing,
// with a free-form detail and no before or after. Prefer Record, which keeps them.
// Call it inside the transaction that makes the change, so the trail never lies.
func RecordChange(ctx context.Context, q Querier, by, action, subject string, detail any) error {
	return Record(ctx, q, audit.Change{By: by, Action: action, Subject: subject, Detail: detail})
}

// Record appends c to the audit trail. Call it inside the transaction that makes the change,
// so the trail never lies.
func Record(ctx context.Context, q Querier, c audit.Change) error {
	detail := []byte("{}")
	if c.Detail != nil {
		b, err := json.Marshal(c.Detail)
		if err != nil {
			return err
		}
		detail = b
	}
	before, err := fieldsOrNull(c.Before)
	if err != nil {
		return err
	}
	after, err := fieldsOrNull(c.After)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `INSERT INTO changes (by, action, subject, detail, before, after) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.By, c.Action, c.Subject, detail, before, after); err != nil {
		return fmt.Errorf("record %s of %s: %w", c.Action, c.Subject, err)
	}
	return nil
}

// Record appends c to the audit trail on its own, for a change that is not a transaction of
// this database (events handed to Kafka).
func (db *DB) Record(ctx context.Context, c audit.Change) error {
	return Record(ctx, db.Pool, c)
}

// fieldsOrNull keeps "no before" (a creation) apart from "nothing before" in the column.
func fieldsOrNull(f audit.Fields) ([]byte, error) {
	if f == nil {
		return nil, nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("audit fields: %w", err)
	}
	return b, nil
}
