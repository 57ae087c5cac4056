package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
)

// markUnprojected records, inside tx, that the balances of repIDs change with it and are
// written to the projection after its commit by a writer that may fail to (migration 019).
func markUnprojected(ctx context.Context, tx pgx.Tx, repIDs []string) error {
	if len(repIDs) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO unprojected_balances (rep_id) SELECT unnest($1::text[])`, repIDs); err != nil {
		return fmt.Errorf("record unprojected balances: %w", err)
	}
	return nil
}

// ProjectBalances hands the ledger's balances of up to limit recorded reps to write, and
// deletes their records once write has returned nil; it returns how many records it took.
// A record committed after the page was read stays for the next call, and the balances are
// summed after the page was read, so each includes every change recorded in the page. Records
// another caller holds are skipped, not waited for.
func (db *DB) ProjectBalances(ctx context.Context, limit int, write func(map[string]bullpen.Balance) error) (int, error) {
	var n int
	err := db.tx(ctx, pgx.TxOptions{}, "project recorded balances", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, rep_id FROM unprojected_balances ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
		if err != nil {
			return err
		}
		var ids []int64
		var reps []string
		var id int64
		var rep string
		if _, err := pgx.ForEachRow(rows, []any{&id, &rep}, func() error {
			ids, reps = append(ids, id), append(reps, rep)
			return nil
		}); err != nil || len(ids) == 0 {
			return err
		}
		balances, err := SumBalances(ctx, tx, reps)
		if err != nil {
			return err
		}
		if err := write(balances); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM unprojected_balances WHERE id = ANY($1)`, ids); err != nil {
			return err
		}
		n = len(ids)
		return nil
	})
	return n, err
}
