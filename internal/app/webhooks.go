package app

import (
	"context"
	"fmt"
	"log/slog"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
	"bullpen/internal/webhook"
)

var _ webhook.Queue = (*postgres.DB)(nil)

// newDeliverer builds the consumer's webhook deliverer on a connection pool of its own: each
// request in flight holds its delivery's transaction (up to the 5 s timeout), and those
// connections are never the ones the batches and the outbox need.
func newDeliverer(ctx context.Context, cfg config.Config, log *slog.Logger) (*webhook.Deliverer, func(), error) {
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("webhooks: %w", err)
	}
	d := &webhook.Deliverer{
		Queue:    db,
		Client:   webhook.NewClient(webhook.Guard{AllowPrivate: cfg.WebhookAllowPrivate}, webhook.Timeout),
		Schedule: webhook.DefaultSchedule,
		Renderer: webhook.Renderer{Currency: cfg.Currency},
		Workers:  deliveryWorkers,
		Log:      log.With("component", "webhooks"),
	}
	return d, db.Close, nil
}

// deliveryWorkers is how many requests the deliverer has in flight at most, across endpoints
// (one per endpoint); its pool holds 8 connections (postgres.Open), one per worker and room
// for the pruning.
const deliveryWorkers = 6
