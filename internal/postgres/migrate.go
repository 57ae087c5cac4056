package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

const versionTable = "schema_version"

// migrationLock serialises everyone who reads or moves the schema version in a database (every
// schema of it: an advisory lock is per database). tern takes a lock of its own too, but waits
// for it inside a statement, and a waiting statement holds a snapshot: a CREATE INDEX
// CONCURRENTLY in the migration that holds tern's lock then waits for that snapshot to end, a
// deadlock (two `server migrate` at once; the tests' schemas made side by side). Waiting here
// instead, by trying between pauses, holds no snapshot, so tern's lock is never contended.
const migrationLock = int64(0x6275_6c6c_7065_6e4d) // "bullpenM"

const migrationLockPoll = 20 * time.Millisecond

// withMigrator runs fn with a migrator on a connection of its own that holds migrationLock;
// closing the connection releases the lock whatever happened.
func (db *DB) withMigrator(ctx context.Context, fn func(*pgx.Conn, *migrate.Migrator) error) error {
	conn, err := pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("migrations: connect: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if err := holdMigrationLock(ctx, conn); err != nil {
		return err
	}
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	return fn(conn, m)
}

func holdMigrationLock(ctx context.Context, conn *pgx.Conn) error {
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, migrationLock).Scan(&got); err != nil {
			return fmt.Errorf("migrations: take the lock: %w", err)
		}
		if got {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("migrations: wait for the lock: %w", ctx.Err())
		case <-time.After(migrationLockPoll):
		}
	}
}

// Migrate applies every embedded migration not yet applied. On a database a later release has
// already migrated it does nothing, if this program may run there (schemarange.go), so the
// previous release's migrate job can run again on a rollback; otherwise it says why not.
func (db *DB) Migrate(ctx context.Context) error {
	return db.withMigrator(ctx, func(conn *pgx.Conn, m *migrate.Migrator) error {
		have, err := m.GetCurrentVersion(ctx)
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if want := int32(len(m.Migrations)); have > want {
			return newerSchema(ctx, conn, have, want)
		}
		if err := m.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
}

// CheckSchema refuses a database whose schema is older than the embedded migrations, or newer
// and no longer fit for this program (schemarange.go).
func (db *DB) CheckSchema(ctx context.Context) error {
	return db.withMigrator(ctx, func(conn *pgx.Conn, m *migrate.Migrator) error {
		have, err := m.GetCurrentVersion(ctx)
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		want := int32(len(m.Migrations))
		switch {
		case have < want:
			return fmt.Errorf("%w (schema version %d, want %d)", ErrOldSchema, have, want)
		case have > want:
			return newerSchema(ctx, conn, have, want)
		}
		return nil
	})
}
