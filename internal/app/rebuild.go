package app

import (
	"context"
	"log/slog"

	"bullpen/internal/config"
	"bullpen/internal/pipeline"
)

// Rebuild throws the Redis projection away and writes it again from PostgreSQL.
func Rebuild(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	db, store, closeStores, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStores()
	if err := pipeline.Rebuild(ctx, db, store); err != nil {
		return err
	}
	log.Info("projection rebuilt from the ledger")
	return nil
}
