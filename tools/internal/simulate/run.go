package simulate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
)

// Message is one record for the topic: key rep_id, value the event's JSON.
type Message struct {
	Key   []byte
	Value []byte
}

// Sink takes a batch of messages and returns once they are durable (or it gave up).
type Sink interface {
	Write(ctx context.Context, msgs []Message) error
}

// RunConfig paces a run.
type RunConfig struct {
	Rate     float64       // events per second, > 0
	Duration time.Duration // 0: until ctx is done
	LogEvery time.Duration // default 10s
	Tick     time.Duration // how often a batch is sent; default 50ms
	// WriteTimeout bounds one batch write, which is not cut short by ctx so that a stop
	// flushes what was made. Default 30s.
	WriteTimeout time.Duration
	Log          *slog.Logger
	Now          func() time.Time // default time.Now
}

// Counts is what a run has sent.
type Counts struct {
	Total      int64
	ByType     map[event.Type]int64
	Activities map[string]int64
	WonAmount  bullpen.Fixed // sum of deal.won amounts
	Failed     int64         // events whose write failed for good
}

func newCounts() Counts {
	return Counts{ByType: map[event.Type]int64{}, Activities: map[string]int64{}}
}

func (c *Counts) add(ev Event) {
	c.Total++
	c.ByType[ev.Type]++
	if ev.Type == event.Activity {
		c.Activities[ev.Activity]++
	}
	if ev.Type == event.DealWon && ev.Amount != nil {
		c.WonAmount += *ev.Amount
	}
}

// Run sends g's events to sink at cfg.Rate until ctx is done or cfg.Duration has passed, and
// returns what it sent. A batch being written when ctx ends is still written. A failed write is
// logged and the run goes on (the sink retries on its own; the events of a failed batch are lost,
// so a later update of a deal in it is a no-op for the consumer); Run fails only when nothing at
// all could be written, after a minute or at the end of the run.
func Run(ctx context.Context, g *Generator, sink Sink, cfg RunConfig) (Counts, error) {
	if cfg.Rate <= 0 || math.IsInf(cfg.Rate, 0) || math.IsNaN(cfg.Rate) {
		return Counts{}, fmt.Errorf("rate must be > 0, got %v", cfg.Rate)
	}
	if cfg.LogEvery <= 0 {
		cfg.LogEvery = 10 * time.Second
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 50 * time.Millisecond
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}

	total, window := newCounts(), newCounts()
	start := cfg.Now()
	lastLog := start
	var lastErrLog time.Time
	var due float64 // events owed since start, at cfg.Rate
	ticker := time.NewTicker(cfg.Tick)
	defer ticker.Stop()
	last := start
	for {
		select {
		case <-ctx.Done():
			logCounts(cfg.Log, "simulator stopped", total, cfg.Now().Sub(start))
			if total.Total == 0 && total.Failed > 0 {
				return total, errors.New("no event could be written")
			}
			return total, nil
		case <-ticker.C:
		}
		now := cfg.Now()
		elapsed := now.Sub(last)
		last = now
		// After a stall (a slow broker), do not burst to catch up: pace from here.
		if elapsed > time.Second {
			elapsed = cfg.Tick
		}
		due += cfg.Rate * elapsed.Seconds()
		n := int(due)
		due -= float64(n)
		if n > 0 {
			batch := make([]Message, n)
			evs := make([]Event, n)
			for i := range n {
				evs[i] = g.Next(now)
				batch[i] = Message{Key: []byte(evs[i].RepID), Value: evs[i].JSON()}
			}
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.WriteTimeout)
			err := sink.Write(wctx, batch)
			cancel()
			if err != nil {
				total.Failed += int64(n)
				window.Failed += int64(n)
				// One line per log period, not one per tick, while the broker is away.
				if lastErrLog.IsZero() || now.Sub(lastErrLog) >= cfg.LogEvery {
					cfg.Log.Error("write failed", "events", n, "err", err)
					lastErrLog = now
				}
				if total.Total == 0 && now.Sub(start) > time.Minute {
					return total, fmt.Errorf("no event could be written in a minute: %w", err)
				}
			} else {
				for _, ev := range evs {
					total.add(ev)
					window.add(ev)
				}
			}
		}
		if now.Sub(lastLog) >= cfg.LogEvery {
			logCounts(cfg.Log, "simulator progress", window, now.Sub(lastLog), "total", total.Total)
			window = newCounts()
			lastLog = now
		}
	}
}

func logCounts(log *slog.Logger, msg string, c Counts, over time.Duration, extra ...any) {
	rate := 0.0
	if over > 0 {
		rate = math.Round(float64(c.Total)/over.Seconds()*10) / 10
	}
	args := []any{
		"events", c.Total,
		"per_second", rate,
		"won", c.ByType[event.DealWon],
		"won_amount", c.WonAmount.String(),
		"updated", c.ByType[event.DealUpdated],
		"reversed", c.ByType[event.DealReversed],
		"activities", c.ByType[event.Activity],
		"failed", c.Failed,
	}
	log.Info(msg, append(args, extra...)...)
}
