// Package pipeline is the consumer's work on one batch of deal events: decode and validate,
// dead-letter what can never apply, apply the rest to the ledger in one transaction, then
// bring the projection up to date. Only when Process returns nil may the offsets be committed.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
	"bullpen/internal/target"
)

// Message is one record read from the topic.
type Message struct {
	Key    []byte
	Value  []byte
	Source string    // topic/partition/offset, recorded with the event
	Time   time.Time // when the broker appended the record: the event's arrival
	SentBy string    // the token that posted it to the API (a header), recorded with the event
}

// DeadLetter is a message that can never be applied, with the reason.
type DeadLetter struct {
	Message
	Code   string
	Detail string
}

// Ledger is the system of record.
type Ledger interface {
	ApplyBatch(ctx context.Context, events []event.Event, sources []string) (ingest.Result, error)
}

// Projection is the live, rebuildable view.
type Projection interface {
	SetRows(ctx context.Context, rows []ingest.Row) error
	SetReps(ctx context.Context, reps []bullpen.Rep) error
	// SetAttainment writes attainment rows of target sets (absolute values), each only over an
	// older version of it.
	SetAttainment(ctx context.Context, vals []target.Value) error
	// SetBalances writes reps' points balances (absolute values), each only over an older
	// version of it.
	SetBalances(ctx context.Context, balances map[string]bullpen.Balance) error
}

// DeadLetterer sends messages to the dead-letter topic.
type DeadLetterer interface {
	DeadLetter(ctx context.Context, letters []DeadLetter) error
}

// Pipeline processes batches.
type Pipeline struct {
	Ledger      Ledger
	Projection  Projection
	DeadLetters DeadLetterer
	Currency    string
	Log         *slog.Logger
	Backoff     Backoff
	Metrics     *Metrics
	// AfterBatch, if set, is told what each batch changed once it is committed and projected
	// (to send the live updates).
	AfterBatch func(ingest.Result)
}

// Backoff is how passing failures are retried: from Min, doubling, at most Max, with jitter.
type Backoff struct {
	Min, Max time.Duration
}

// Process handles one batch. It returns nil once every message is dead-lettered or applied
// and projected; on a passing failure (database, Redis or broker down) it retries until it
// succeeds or ctx ends, and then returns ctx's error: nothing may be committed.
func (p *Pipeline) Process(ctx context.Context, msgs []Message) error {
	events := make([]event.Event, 0, len(msgs))
	sources := make([]string, 0, len(msgs))
	var letters []DeadLetter
	for _, m := range msgs {
		ev, err := event.Decode(m.Value, p.Currency)
		if err != nil {
			letters = append(letters, DeadLetter{Message: m, Code: err.Code, Detail: err.Error()})
			continue
		}
		ev.ArrivedAt = m.Time
		if ev.ArrivedAt.IsZero() {
			ev.ArrivedAt = time.Now()
		}
		ev.SentBy = m.SentBy
		events = append(events, ev)
		sources = append(sources, m.Source)
	}
	if len(letters) > 0 {
		if err := p.retry(ctx, "dead-letter", func() error { return p.DeadLetters.DeadLetter(ctx, letters) }); err != nil {
			return err
		}
		p.Metrics.deadLettered(letters)
		for _, l := range letters {
			p.Log.Warn("event dead-lettered", "source", l.Source, "error", l.Code, "detail", l.Detail)
		}
	}
	if len(events) == 0 {
		return nil
	}
	start := time.Now()
	oldest := start
	for i := range events {
		if t := events[i].ArrivedAt; t.Before(oldest) {
			oldest = t
		}
	}
	var res ingest.Result
	if err := p.retry(ctx, "apply to ledger", func() (err error) {
		res, err = p.Ledger.ApplyBatch(ctx, events, sources)
		return err
	}); err != nil {
		return err
	}
	ledgerDone := time.Now()
	if err := p.retry(ctx, "update projection", func() error {
		if err := p.Projection.SetRows(ctx, res.Rows); err != nil {
			return err
		}
		if err := p.Projection.SetReps(ctx, res.Reps); err != nil {
			return err
		}
		if err := p.Projection.SetAttainment(ctx, res.Attainment); err != nil {
			return err
		}
		return p.Projection.SetBalances(ctx, res.Balances)
	}); err != nil {
		return err
	}
	p.Metrics.applied(res, start.Sub(oldest), ledgerDone.Sub(start), time.Since(ledgerDone))
	if p.AfterBatch != nil {
		p.AfterBatch(res)
	}
	return nil
}

// retry runs fn until it succeeds or ctx ends, with capped exponential backoff and jitter.
// A panic in fn is turned into an error and retried like any other failure.
func (p *Pipeline) retry(ctx context.Context, what string, fn func() error) error {
	wait := p.Backoff.Min
	for attempt := 1; ; attempt++ {
		err := protect(fn)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p.Metrics.retried(what)
		p.Log.Error("passing failure, will retry", "step", what, "attempt", attempt, "err", err, "wait", wait)
		jittered := wait/2 + rand.N(wait/2+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(jittered):
		}
		wait = min(wait*2, p.Backoff.Max)
	}
}

func protect(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Join(errPanic, fmt.Errorf("%v", r))
		}
	}()
	return fn()
}

var errPanic = errors.New("panic")
