package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"bullpen/internal/config"
	httpapi "bullpen/internal/http"
	"bullpen/internal/kafka"
	"bullpen/internal/live"
	"bullpen/static"
)

// RunServer is the server process: it connects to PostgreSQL (refusing an old schema), Redis
// and Kafka, serves the API and the pages on ln until ctx ends, then shuts down in order. ln
// is the caller's, so tests can listen on :0 and know the address.
func RunServer(ctx context.Context, cfg config.Config, ln net.Listener, log *slog.Logger) error {
	cal, err := Calendar(cfg)
	if err != nil {
		return err
	}
	db, store, closeStores, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStores()
	go func() {
		if n, err := store.LearnTeamsOnceComplete(ctx, time.Second); err != nil && ctx.Err() == nil {
			log.Warn("the reps' teams not read ahead: a rep's first page may take a second round trip", "err", err, "learnt", n)
		}
	}()
	TuneServerGC(ctx)
	cluster, err := KafkaCluster(cfg)
	if err != nil {
		return err
	}
	producer := kafka.NewProducer(cluster, cfg.KafkaTopic)
	defer func() {
		if err := producer.Close(); err != nil {
			log.Error("close kafka producer", "err", err)
		}
	}()
	perToken, authFailures := cfg.Limits()
	proxies, _ := cfg.TrustedProxyRanges() // checked at start (config.Check)
	srv := httpapi.New(APIDeps(httpapi.Deps{Producer: producer, AdminToken: cfg.AdminToken, Currency: cfg.Currency,
		Timezone: cfg.Timezone, Logger: log, Calendar: &cal, FrameAncestors: cfg.FrameAncestors, TrustedProxies: proxies,
		Limits: httpapi.Limits{PerToken: perToken, AuthFailures: authFailures}, MetricsElsewhere: cfg.MetricsAddr != "",
		WebhookAllowPrivate: cfg.WebhookAllowPrivate}, db, store))
	srv.MountSockets(NewSockets(srv, store, live.Deps{Logger: log, Currency: cfg.Currency, AllowedOrigins: cfg.AllowedOrigins,
		Options: live.Options{PlainWrites: !cfg.WSIOURing}}))
	// The wall display is a page without an extension (its pairing rides in the fragment).
	srv.App().Get("/display", func(c *fiber.Ctx) error {
		return filesystem.SendFile(c, http.FS(static.Files), "display.html")
	})
	// The rep's view, likewise: its token rides in the fragment.
	srv.App().Get("/me", func(c *fiber.Ctx) error {
		return filesystem.SendFile(c, http.FS(static.Files), "me.html")
	})
	// The manager's console too (a token may ride in its fragment).
	srv.App().Get("/manage", func(c *fiber.Ctx) error {
		return filesystem.SendFile(c, http.FS(static.Files), "manage.html")
	})
	srv.App().Use("/", filesystem.New(filesystem.Config{Root: http.FS(static.Files), Index: "index.html"}))
	stopMetrics, err := serveMetrics(cfg.MetricsAddr, srv.Registry(), log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	log.Info("server listening", "addr", ln.Addr().String())
	// The tokens read ahead and followed (a rep's first request of the day needs no read).
	go srv.WatchTokens(ctx)
	err = srv.Serve(ctx, ln, cfg.ShutdownTimeout)
	log.Info("server stopped", "err", err)
	return err
}
