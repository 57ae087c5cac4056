package app

import (
	"context"
	"log/slog"

	"bullpen/internal/config"
	"bullpen/internal/pipeline"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
)

// Rebuild throws the Redis projection away and writes it again from PostgreSQL.
func Rebuild(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	store, err := redis.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	if err := pipeline.Rebuild(ctx, db, store); err != nil {
		return err
	}
	log.Info("projection rebuilt from the ledger")
	return nil
}
