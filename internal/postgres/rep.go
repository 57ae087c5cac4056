package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
)

// likeEscaper makes user text literal inside a LIKE pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchReps lists the directory by rep_id; q matches an id prefix or a name substring,
// ignoring case.
func (db *DB) SearchReps(ctx context.Context, q string, limit, offset int) ([]bullpen.Rep, error) {
	pat := likeEscaper.Replace(strings.ToLower(q))
	rows, err := db.Pool.Query(ctx, `
		SELECT rep_id, name, team_id FROM reps
		WHERE $1 = '' OR lower(rep_id) LIKE $1 || '%' OR lower(name) LIKE '%' || $1 || '%'
		ORDER BY rep_id LIMIT $2 OFFSET $3`, pat, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search reps: %w", err)
	}
	reps, err := collectReps(rows)
	if err != nil {
		return reps, fmt.Errorf("search reps: %w", err)
	}
	return reps, nil
}

func collectReps(rows pgx.Rows) ([]bullpen.Rep, error) {
	defer rows.Close()
	out := []bullpen.Rep{}
	for rows.Next() {
		var r bullpen.Rep
		if err := rows.Scan(&r.RepID, &r.Name, &r.TeamID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Rep returns one directory entry.
func (db *DB) Rep(ctx context.Context, id string) (bullpen.Rep, error) {
	var r bullpen.Rep
	err := db.Pool.QueryRow(ctx, `SELECT rep_id, name, team_id FROM reps WHERE rep_id = $1`, id).
		Scan(&r.RepID, &r.Name, &r.TeamID)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, bullpen.Errorf(bullpen.ENotFound, "rep %s not found", id)
	}
	if err != nil {
		return r, fmt.Errorf("read rep %s: %w", id, err)
	}
	return r, nil
}

// RepsByID returns the directory entries of ids that exist.
func (db *DB) RepsByID(ctx context.Context, ids []string) (map[string]bullpen.Rep, error) {
	rows, err := db.Pool.Query(ctx, `SELECT rep_id, name, team_id FROM reps WHERE rep_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read reps: %w", err)
	}
	list, err := collectReps(rows)
	if err != nil {
		return nil, fmt.Errorf("read reps: %w", err)
	}
	out := make(map[string]bullpen.Rep, len(list))
	for _, r := range list {
		out[r.RepID] = r
	}
	return out, nil
}
