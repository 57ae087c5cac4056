// Package bench holds what the benchmark programs (tools/ingestbench, tools/loadgen) both set up:
// names of their own for a run's schema, key prefix, topics and group, and contests stored as
// the API stores them. (internal/testenv does the same for tests, with a testing.TB.)
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"bullpen/internal/contest"
	"bullpen/internal/postgres"
)

// Name returns prefix followed by 10 random hex digits: valid as a schema, key prefix, topic or
// group name.
func Name(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// StoreContests creates the contests directly in the database (no server needed), as the API
// does: normalized, under the ingest lock, with a recount. It returns their ids in order.
func StoreContests(ctx context.Context, db *postgres.DB, defs []contest.Contest, by string) ([]string, error) {
	ids := make([]string, len(defs))
	for i := range defs {
		c := defs[i]
		if err := c.Normalize(); err != nil {
			return nil, err
		}
		c.CreatedBy = by
		if err := db.CreateContest(ctx, &c); err != nil {
			return nil, fmt.Errorf("create contest %q: %w", c.Name, err)
		}
		ids[i] = c.ID
	}
	return ids, nil
}
