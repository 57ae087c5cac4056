package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/config"
	"bullpen/tools/internal/child"
	"bullpen/tools/internal/simulate"
)

// The events come from a child process of their own (-role producer), so the producer runs at
// the system's priority when the rest of the load is lowered (-load-nice): the CRM's events
// are part of the load the system must bear, and a lowered producer sent fewer. It makes the
// same reps as the parent (the same seed and run id), produces until SIGTERM, and writes its
// counts as JSON on stdout.
const (
	envTopic = "RUSH_TOPIC"
	envRate  = "RUSH_EVENT_RATE"
	envReps  = "RUSH_REPS"
	envTeams = "RUSH_TEAMS"
	envRunID = "RUSH_RUN_ID"
)

// newGenerator is the run's simulator: the parent seeds its reps, the producer child sends its
// events.
func newGenerator(reps, teams int, runID string) (*simulate.Generator, error) {
	return simulate.New(simulate.Config{Reps: reps, Teams: min(teams, reps), Seed: 12, RunID: runID,
		WonShare: simulate.DefaultWonShare, UpdateShare: simulate.DefaultUpdateShare, ReverseShare: simulate.DefaultReverseShare})
}

type produced struct {
	Counts simulate.Counts
	Err    string
}

// runProducer is the producer child.
func runProducer() int {
	atoi := func(k string) int { n, _ := strconv.Atoi(os.Getenv(k)); return n }
	gen, err := newGenerator(atoi(envReps), atoi(envTeams), os.Getenv(envRunID))
	if err != nil {
		fmt.Fprintln(os.Stderr, "producer:", err)
		return 2
	}
	cfg, err := config.Load("127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "producer: configuration:", err)
		return 2
	}
	rate := atoi(envRate)
	w := &kafkago.Writer{Addr: kafkago.TCP(cfg.KafkaBrokers...), Topic: os.Getenv(envTopic), Balancer: &kafkago.Hash{},
		RequiredAcks: kafkago.RequireAll, BatchTimeout: 5 * time.Millisecond, BatchSize: max(100, rate/10), MaxAttempts: 10}
	ctx, stop := child.SignalContext()
	defer stop()
	counts, err := simulate.Run(ctx, gen, simulate.KafkaSink{W: w}, simulate.RunConfig{Rate: float64(rate), Tick: 20 * time.Millisecond})
	err = errors.Join(err, w.Close())
	out := produced{Counts: counts}
	if err != nil && !errors.Is(err, context.Canceled) {
		out.Err = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		return 1
	}
	return 0
}

// startProducer starts the producer child; stopProducer stops it and reads its counts.
func startProducer(o options, topic, runID string) (stopProducer func() (simulate.Counts, error), err error) {
	env := []string{envTopic + "=" + topic, envRate + "=" + strconv.Itoa(o.eventRate), envReps + "=" + strconv.Itoa(o.reps),
		envTeams + "=" + strconv.Itoa(o.teams), envRunID + "=" + runID}
	cmd, log, err := child.Command("producer", env, filepath.Join(o.dir, "rush-producer.log"))
	if err != nil {
		return nil, err
	}
	out, err := os.Create(filepath.Join(o.dir, "rush-produced.json"))
	if err != nil {
		_ = log.Close()
		return nil, err
	}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		_ = out.Close()
		return nil, err
	}
	return func() (simulate.Counts, error) {
		child.Stop(cmd)
		_ = log.Close()
		_ = out.Close()
		b, err := os.ReadFile(out.Name())
		if err != nil {
			return simulate.Counts{}, err
		}
		var p produced
		if err := json.Unmarshal(b, &p); err != nil {
			return simulate.Counts{}, fmt.Errorf("the producer's counts: %w (see %s)", err, log.Name())
		}
		if p.Err != "" {
			return p.Counts, errors.New(p.Err)
		}
		return p.Counts, nil
	}, nil
}
