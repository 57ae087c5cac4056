package app

import (
	"context"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
)

// openStores connects to the ledger (refusing a schema older or newer than this program) and
// the projection; close releases both.
func openStores(ctx context.Context, cfg config.Config) (db *postgres.DB, store *redis.Store, close func(), err error) {
	db, err = postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, nil, err
	}
	db.Grace = cfg.Grace
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	store, err = redis.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, store, func() { _ = store.Close(); db.Close() }, nil
}
