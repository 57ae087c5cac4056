// Command consumer reads deal events from Kafka into the ledger and the live projection.
//
//	consumer           run
//	consumer rebuild   rebuild the Redis projection from PostgreSQL, then exit
//	consumer --version print the build
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"bullpen/internal/app"
	"bullpen/internal/build"
	"bullpen/internal/config"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println(build.Get())
		return
	}
	cfg, err := config.Load(config.ConsumerAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		os.Exit(2)
	}
	log := app.Logger(cfg.LogLevel).With("process", "consumer")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cmd := "run"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	switch cmd {
	case "run":
		err = app.RunConsumer(ctx, cfg, log, nil)
	case "rebuild":
		err = app.Rebuild(ctx, cfg, log)
	default:
		err = fmt.Errorf("unknown command %q (run, rebuild)", cmd)
	}
	if err != nil {
		log.Error("consumer stopped", "err", err)
		os.Exit(1)
	}
}
