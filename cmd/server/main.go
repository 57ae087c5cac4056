// Command server is Bullpen's API server. `server` serves; `server migrate` applies the
// database migrations and exits; `server --version` prints the build.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"bullpen/internal/app"
	"bullpen/internal/build"
	"bullpen/internal/config"
	"bullpen/internal/postgres"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 1 && args[0] == "--version" {
		fmt.Println(build.Get())
		return 0
	}
	cfg, err := config.Load(config.ServerAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		return 2
	}
	log := app.Logger(cfg.LogLevel).With("process", "server")
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	switch {
	case len(args) == 1 && args[0] == "migrate":
		return migrate(ctx, cfg, log)
	case len(args) > 0:
		fmt.Fprintf(os.Stderr, "usage: server [migrate | --version]\n")
		return 2
	}
	if err := cfg.RequireAdminToken(); err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		return 2
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		log.Error("listen", "addr", cfg.HTTPAddr, "err", err)
		return 1
	}
	if err := app.RunServer(ctx, cfg, ln, log); err != nil {
		if errors.Is(err, postgres.ErrOldSchema) {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		log.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger) int {
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		log.Error("open database", "err", err)
		return 1
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		log.Error("migrate", "err", err)
		return 1
	}
	log.Info("migrations applied")
	return 0
}
