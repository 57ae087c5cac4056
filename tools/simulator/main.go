// Command simulator produces a plausible flow of deal events to Kafka for demos: a few dozen
// reps in a few teams logging calls, emails, meetings and demos, winning deals, now and then
// renegotiating or losing one.
//
//	simulator [-rate 20] [-won-share 0.1] [-reps 36] [-teams 4] [-duration 0] [-seed 1] [-run ID]
//
// Brokers and topic come from BULLPEN_KAFKA_BROKERS and BULLPEN_KAFKA_TOPIC. It runs until
// SIGINT or SIGTERM (or -duration), then flushes what it made and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"bullpen/tools/internal/simulate"
)

func main() {
	var (
		rate     = flag.Float64("rate", 20, "events per second")
		wonShare = flag.Float64("won-share", simulate.DefaultWonShare, "fraction of events that are deal.won")
		updShare = flag.Float64("update-share", simulate.DefaultUpdateShare, "fraction of events that are deal.updated")
		revShare = flag.Float64("reverse-share", simulate.DefaultReverseShare, "fraction of events that are deal.reversed")
		reps     = flag.Int("reps", simulate.DefaultReps, "number of reps")
		teams    = flag.Int("teams", simulate.DefaultTeams, "number of teams")
		duration = flag.Duration("duration", 0, "stop after this long (0: until SIGINT/SIGTERM)")
		seed     = flag.Uint64("seed", 1, "random seed: the same seed gives the same reps and flow")
		runID    = flag.String("run", "", "run id in event and deal ids (default: from the start time)")
	)
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "simulator: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("process", "simulator")

	if *runID == "" {
		*runID = strconv.FormatInt(time.Now().UnixMilli(), 36)
	}
	gen, err := simulate.New(simulate.Config{
		Reps: *reps, Teams: *teams, Seed: *seed, RunID: *runID,
		WonShare: *wonShare, UpdateShare: *updShare, ReverseShare: *revShare,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(2)
	}
	brokers := splitList(envOr("BULLPEN_KAFKA_BROKERS", "localhost:9092"))
	topic := envOr("BULLPEN_KAFKA_TOPIC", "deals")
	w := &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 10 * time.Millisecond, // the default 1s would pace every synchronous write
		MaxAttempts:  10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log.Info("simulator starting", "brokers", brokers, "topic", topic, "rate", *rate,
		"reps", *reps, "teams", *teams, "run", *runID, "seed", *seed, "duration", duration.String())

	_, runErr := simulate.Run(ctx, gen, simulate.KafkaSink{W: w}, simulate.RunConfig{Rate: *rate, Duration: *duration, Log: log})
	if err := w.Close(); err != nil {
		log.Error("closing the Kafka writer", "err", err)
	}
	if runErr != nil {
		log.Error("simulator failed", "err", runErr)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
