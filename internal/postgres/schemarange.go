package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The schema range (docs/upgrading.md). A program knows migrations 1..N. On a database at
// version N it runs; below N it refuses (ErrOldSchema: run `server migrate` first); above N it
// runs only if every migration past N merely expanded the schema, which the newer migrations
// record as the oldest program still fit for it (the schema_floor row, migration 012). A rolling
// update runs the previous release beside the next on the migrated schema, and a rollback runs
// it alone there: both are this case.

// ErrOldSchema is returned by CheckSchema when migrations are missing.
var ErrOldSchema = errors.New("the database schema is older than this program: run `server migrate`")

// ErrNewSchema is returned when a later release's migrations removed or changed something this
// program uses: it cannot run there, and its migrate job cannot undo them.
var ErrNewSchema = errors.New("the database schema is newer than this program and no longer fits it")

// newerSchema says whether a program with want migrations may run on a schema at version have
// (have > want): nil if the schema's floor lets it, an error naming both versions otherwise.
func newerSchema(ctx context.Context, conn *pgx.Conn, have, want int32) error {
	var oldest int32
	err := conn.QueryRow(ctx, `SELECT oldest_program FROM schema_floor`).Scan(&oldest)
	switch {
	case sqlState(err) == "42P01", errors.Is(err, pgx.ErrNoRows):
		// A schema this new always has the row; without it nothing says what is safe.
		return fmt.Errorf("%w: version %d, this program knows %d, and the schema does not say which programs fit it", ErrNewSchema, have, want)
	case err != nil:
		return fmt.Errorf("read the schema floor: %w", err)
	case want < oldest:
		return fmt.Errorf("%w: version %d needs a program that knows at least %d migrations; this one knows %d (deploy a newer release)", ErrNewSchema, have, oldest, want)
	}
	return nil
}
