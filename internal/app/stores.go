package app

import (
	"context"
	"log/slog"
	"time"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
)

// openStores connects to the ledger (refusing a schema older or newer than this program) and
// the projection; close releases both.
func openStores(ctx context.Context, cfg config.Config, log *slog.Logger) (db *postgres.DB, store *redis.Store, close func(), err error) {
	db, err = postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, nil, err
	}
	db.Grace = cfg.Grace
	if cal, err := Calendar(cfg); err == nil {
		db.Calendar = &cal
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	store, err = redis.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, store, func() { closeStores(db, store, log, closeWait) }, nil
}

// closeWait bounds how long closing the stores may take at exit.
const closeWait = 5 * time.Second

// closeStores closes Redis and the PostgreSQL pool. The pool's Close waits for every
// connection still in use; one held by a stuck or leaked query would keep the process from
// exiting, so it is given wait and then left to the exit, with a warning saying how many.
func closeStores(db *postgres.DB, store *redis.Store, log *slog.Logger, wait time.Duration) {
	_ = store.Close()
	if n := db.Pool.Stat().AcquiredConns(); n > 0 {
		log.Warn("closing the database with connections still in use", "acquired", n)
	}
	done := make(chan struct{})
	go func() { db.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
		log.Error("the database pool did not close in time; exiting anyway", "acquired", db.Pool.Stat().AcquiredConns(), "wait", wait)
	}
}
