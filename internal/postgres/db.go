// Package postgres is the ledger: the system of record in PostgreSQL, through pgx.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"bullpen/internal/pace"
)

// DB is the ledger's connection pool.
type DB struct {
	Pool *pgxpool.Pool
	// Grace is how long after a board ends late events still count (BULLPEN_GRACE).
	Grace time.Duration
	// Calendar is the selling calendar achievements count days in (BULLPEN_TIMEZONE, selling
	// days, holidays); nil: Monday to Friday in UTC.
	Calendar *pace.Calendar
	now      func() time.Time
	known    knownReps // what this process knows of reps' badges between batches
	// beforeLearn, when set (tests), runs after a batch commits and before its reps are learnt.
	beforeLearn func()
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
