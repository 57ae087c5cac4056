package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/contest"
)

// activeContestsSQL selects the contests that may still count events: neither cancelled nor
// final.
const activeContestsSQL = `SELECT ` + contestColumns + ` FROM contests WHERE cancelled_at IS NULL AND finalized_at IS NULL`

// activeContests returns the contests that may still count events.
func activeContests(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) ([]*contest.Contest, error) {
	rows, err := q.Query(ctx, activeContestsSQL)
	if err != nil {
		return nil, fmt.Errorf("read active contests: %w", err)
	}
	cs, err := collectContests(rows)
	if err != nil {
		return nil, fmt.Errorf("read active contests: %w", err)
	}
	return cs, nil
}

func collectContests(rows pgx.Rows) ([]*contest.Contest, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*contest.Contest, error) { return scanContest(r) })
}
