package main

import (
	"context"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// fillResult is what the fill did.
type fillResult struct {
	Events    int                        `json:"events"`
	Seconds   float64                    `json:"seconds"`
	PerSecond float64                    `json:"events_per_second"`
	Bytes     int64                      `json:"bytes"`
	TypeCount map[string]int             `json:"types"`
	expected  map[modelKey]bullpen.Fixed // the standings the drain must end with
}

// fill produces every event to topic before any drain, with one writer shared by the workers
// (each worker owns its reps, so each rep's events stay in order).
func fill(ctx context.Context, brokers []string, topic string, g genConfig, contests []*contest.Contest, chunk int) (fillResult, error) {
	w := &kafkago.Writer{
		Addr:         kafkago.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafkago.Hash{},
		RequiredAcks: kafkago.RequireOne,
		BatchSize:    chunk,
		BatchBytes:   1_000_000, // the broker's default message.max.bytes is 1 MiB per record batch
		BatchTimeout: 5 * time.Millisecond,
		MaxAttempts:  10,
		Async:        false,
	}
	defer func() { _ = w.Close() }()

	gens := make([]*generator, g.Workers)
	counts := make([]map[string]int, g.Workers)
	bytes := make([]int64, g.Workers)
	start := time.Now()
	eg, ectx := errgroup.WithContext(ctx)
	for wi := range g.Workers {
		gens[wi] = newGenerator(g, contests, wi)
		counts[wi] = map[string]int{}
		eg.Go(func() error {
			gen := gens[wi]
			msgs := make([]kafkago.Message, 0, chunk)
			for {
				msgs = msgs[:0]
				for len(msgs) < chunk {
					e, ok := gen.next()
					if !ok {
						break
					}
					counts[wi][string(e.Type)]++
					v := gen.appendJSON(make([]byte, 0, 320), &e)
					bytes[wi] += int64(len(v))
					msgs = append(msgs, kafkago.Message{Key: []byte(repID(e.Rep)), Value: v})
				}
				if len(msgs) == 0 {
					return nil
				}
				if err := w.WriteMessages(ectx, msgs...); err != nil {
					return fmt.Errorf("produce: %w", err)
				}
			}
		})
	}
	if err := eg.Wait(); err != nil {
		return fillResult{}, err
	}
	d := time.Since(start)
	res := fillResult{Events: g.Events, Seconds: d.Seconds(), PerSecond: float64(g.Events) / d.Seconds(),
		TypeCount: map[string]int{}, expected: mergeExpected(gens)}
	for wi := range g.Workers {
		res.Bytes += bytes[wi]
		for t, n := range counts[wi] {
			res.TypeCount[t] += n
		}
	}
	return res, nil
}

// eventsBatches regenerates the same events (same seed) and hands them to fn batch by batch,
// with each event's contributions, for the PostgreSQL ceiling. Generating is not timed there.
func eventsBatches(g genConfig, contests []*contest.Contest, size int, fn func([]genEvent, [][]contribution) error) error {
	batch := make([]genEvent, 0, size)
	contribs := make([][]contribution, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := fn(batch, contribs)
		batch, contribs = batch[:0], contribs[:0]
		return err
	}
	for wi := range g.Workers {
		gen := newGenerator(g, contests, wi)
		for {
			e, ok := gen.next()
			if !ok {
				break
			}
			batch = append(batch, e)
			contribs = append(contribs, append([]contribution(nil), gen.contribs...))
			if len(batch) == size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
