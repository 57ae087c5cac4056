// Package postgres is the ledger: the system of record in PostgreSQL, through pgx.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

const versionTable = "schema_version"

// DB is the ledger's connection pool.
type DB struct {
	Pool *pgxpool.Pool
	// Grace is how long after a board ends late events still count (BULLPEN_GRACE).
	Grace time.Duration
	now   func() time.Time
}

// Open connects to PostgreSQL and checks that it answers.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create postgresql pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgresql: %w", err)
	}
	return &DB{Pool: pool, Grace: 10 * time.Minute, now: time.Now}, nil
}

// Close releases the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgresql: %w", err)
	}
	return nil
}

func (db *DB) migrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return nil, fmt.Errorf("prepare migrations: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return m, nil
}

// Migrate applies every embedded migration not yet applied.
func (db *DB) Migrate(ctx context.Context) error {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: acquire a connection: %w", err)
	}
	defer conn.Release()
	m, err := db.migrator(ctx, conn.Conn())
	if err != nil {
		return err
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// ErrOldSchema is returned by CheckSchema when migrations are missing.
var ErrOldSchema = errors.New("the database schema is older than this program: run `server migrate`")

// CheckSchema refuses a database whose schema is older (or newer) than the embedded migrations.
func (db *DB) CheckSchema(ctx context.Context) error {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("check schema: acquire a connection: %w", err)
	}
	defer conn.Release()
	m, err := db.migrator(ctx, conn.Conn())
	if err != nil {
		return err
	}
	have, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	want := int32(len(m.Migrations))
	switch {
	case have < want:
		return fmt.Errorf("%w (schema version %d, want %d)", ErrOldSchema, have, want)
	case have > want:
		return fmt.Errorf("the database schema (version %d) is newer than this program (%d)", have, want)
	}
	return nil
}

// Generation identifies this ledger; a Redis projection records the generation it was built from.
func (db *DB) Generation(ctx context.Context) (string, error) {
	var g string
	if err := db.Pool.QueryRow(ctx, `SELECT generation::text FROM projection`).Scan(&g); err != nil {
		return "", fmt.Errorf("read ledger generation: %w", err)
	}
	return g, nil
}

// IsTransient reports whether err is worth retrying: a lost connection, a serialization
// failure or deadlock (SQLSTATE class 40), or the server shutting down (class 57, 08).
func IsTransient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "40", "08", "57", "53":
			return true
		}
		return false
	}
	return err != nil && !errors.Is(err, context.Canceled)
}
