package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"bullpen/internal/postgres"
)

// A database that a later release migrated: this program runs there while the later
// migrations only expanded the schema, and its migrate is then a no-op, not an error (a
// rollback runs the previous release's migrate job again). Once the floor passes it, both
// refuse, naming the versions.
func TestSchemaRangeAcceptsAnExpandedSchemaAndRefusesAContractedOne(t *testing.T) {
	db := mustDB(t)
	ctx := context.Background()
	var want int32
	if err := db.Pool.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("the program's own schema: %v", err)
	}

	// The next release added a migration that only expands.
	mustExec(t, db, `UPDATE schema_version SET version = version + 1`)
	mustExec(t, db, `ALTER TABLE reps ADD COLUMN next_release_only text`)
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("an expanded schema (version %d, program %d): %v", want+1, want, err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate on an expanded schema: %v", err)
	}
	var have int32
	if err := db.Pool.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&have); err != nil || have != want+1 {
		t.Fatalf("migrate moved the version to %d (%v), want it left at %d", have, err, want+1)
	}

	// The release after contracted: programs before it no longer fit.
	mustExec(t, db, `UPDATE schema_floor SET oldest_program = $1`, want+1)
	for name, run := range map[string]func(context.Context) error{"check": db.CheckSchema, "migrate": db.Migrate} {
		err := run(ctx)
		if !errors.Is(err, postgres.ErrNewSchema) {
			t.Fatalf("%s on a contracted schema: %v", name, err)
		}
		next, this := strconv.Itoa(int(want+1)), strconv.Itoa(int(want))
		for _, n := range []string{"version " + next, "at least " + next, "knows " + this} {
			if !strings.Contains(err.Error(), n) {
				t.Errorf("%s: %q does not say %q", name, err, n)
			}
		}
	}

	// Without the floor row nothing says what is safe: refused.
	mustExec(t, db, `DELETE FROM schema_floor`)
	if err := db.CheckSchema(ctx); !errors.Is(err, postgres.ErrNewSchema) {
		t.Fatalf("a newer schema without its floor: %v", err)
	}

	// An older schema is refused as before.
	mustExec(t, db, `UPDATE schema_version SET version = $1`, want-1)
	if err := db.CheckSchema(ctx); !errors.Is(err, postgres.ErrOldSchema) {
		t.Fatalf("an older schema: %v", err)
	}
}
