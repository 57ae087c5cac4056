package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/kafkaadmin"
)

// warmUp is the history (-warm) drained before each measured drain: a topic of its own, filled
// once, whose events the same reps made in the -warm-span before the measured ones. With it a
// drain measures a floor that has been running, with reps that already hold their first badges
// and personal bests, rather than a fresh ledger's first hour.
type warmUp struct {
	topic    string
	events   int
	expected map[modelKey]bullpen.Fixed // what the history adds to the standings
}

// history is how far before -span the warm-up's events reach (0 without one).
func history(o options) time.Duration {
	if o.warm == 0 {
		return 0
	}
	return o.warmSpan
}

// fillWarm fills the warm-up's topic: o.warm events of g's reps over the -warm-span before g's,
// with ids of their own.
func fillWarm(ctx context.Context, o options, admin *kafkaadmin.Admin, base config.Config, g genConfig,
	contests []*contest.Contest, say func(string, ...any)) (*warmUp, error) {
	h := g
	h.Events, h.Seed, h.IDPrefix = o.warm, g.Seed+1, "w"
	h.From, h.To = g.From.Add(-o.warmSpan), g.From
	topic := bench.Name("ingestbench-warm-")
	if err := admin.CreateTopics(ctx, o.partitions, topic); err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	say("filling %s with %d events of history over the %v before the measured ones...", topic, o.warm, o.warmSpan)
	f, err := fill(ctx, base.KafkaBrokers, topic, h, contests, o.chunk)
	if err != nil {
		return nil, err
	}
	return &warmUp{topic: topic, events: o.warm, expected: f.expected}, nil
}

// drainWarm runs a consumer of its own over the warm-up's topic into the drain's schema and
// projection, and stops it once it has committed every event. Its PostgreSQL backends go by an
// application name of their own, so the measured drain does not count them.
func (s *drainSpec) drainWarm(ctx context.Context, cfg config.Config, sch *postgres.Scratch, group string) error {
	cfg.KafkaTopic, cfg.KafkaGroup = s.warm.topic, group
	cfg.DatabaseURL = sch.URL(appConsumer + "-warm")
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.RunConsumer(wctx, cfg, s.log, func(app.Consumer) {}) }()
	deadline := time.Now().Add(s.timeout)
	for {
		select {
		case err := <-done:
			return fmt.Errorf("the warm-up's consumer stopped: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if c, err := s.admin.Committed(ctx, group, s.warm.topic, s.partitions); err == nil && c >= int64(s.warm.events) {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			return errors.Join(fmt.Errorf("the warm-up was not drained after %v", s.timeout), <-done)
		}
	}
	cancel()
	if err := <-done; err != nil {
		return fmt.Errorf("the warm-up's consumer: %w", err)
	}
	return nil
}
