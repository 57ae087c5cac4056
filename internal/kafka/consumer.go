package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/pipeline"
)

// ConsumerConfig says what to read and how to batch it.
type ConsumerConfig struct {
	Cluster        Cluster
	Topic          string
	Group          string
	SessionTimeout time.Duration
	BatchSize      int           // at most this many messages per batch
	BatchWait      time.Duration // how long a batch waits to fill once its first message is in
}

// Consumer reads the topic in a consumer group: fetch a batch, hand it to the pipeline, and
// commit its offsets only once the pipeline has applied it (at-least-once in, exactly-once in
// effect through the ledger's dedupe).
type Consumer struct {
	cfg     ConsumerConfig
	process func(context.Context, []pipeline.Message) error
	log     *slog.Logger
}

// NewConsumer joins the group; process is called with each batch.
func NewConsumer(cfg ConsumerConfig, process func(context.Context, []pipeline.Message) error, log *slog.Logger) *Consumer {
	return &Consumer{cfg: cfg, process: process, log: log}
}

// commitEvery is how often applied offsets are committed.
const commitEvery = 50 * time.Millisecond

func (c *Consumer) newReader() *kafkago.Reader {
	cfg, log := c.cfg, c.log
	return kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:           cfg.Cluster.Brokers,
		Dialer:            cfg.Cluster.Dialer(10 * time.Second), // kafka-go's default dialer's timeout
		Topic:             cfg.Topic,
		GroupID:           cfg.Group,
		SessionTimeout:    cfg.SessionTimeout,
		HeartbeatInterval: cfg.SessionTimeout / 10,
		RebalanceTimeout:  cfg.SessionTimeout,
		JoinGroupBackoff:  500 * time.Millisecond,
		StartOffset:       kafkago.FirstOffset,
		MinBytes:          1,
		MaxBytes:          8 << 20,
		MaxWait:           250 * time.Millisecond,
		QueueCapacity:     cfg.BatchSize,
		ReadBatchTimeout:  5 * time.Second,
		// Commits go out in the background, the latest offsets every commitEvery (and when the
		// reader closes), so a batch does not wait for the broker before the next one starts.
		// A crash loses at most that much of the commits: those batches come again, and the
		// ledger's dedupe makes them no-ops.
		CommitInterval: commitEvery,
		ErrorLogger:    kafkago.LoggerFunc(func(f string, a ...any) { log.Warn("kafka reader: " + fmt.Sprintf(f, a...)) }),
	})
}

// CommitWait bounds the hand-over of an applied batch's offsets, shutdown included: the
// longest a stopping consumer spends on the batch it holds.
const CommitWait = 10 * time.Second

// Run consumes until ctx ends. A batch fetched but not yet applied is dropped on shutdown (it
// is redelivered to whoever reads next); a batch applied is committed before Run returns. When
// the broker is unreachable it joins the group again with a fresh reader, backing off, for as
// long as it takes: a broker restart is a passing failure.
func (c *Consumer) Run(ctx context.Context) error {
	wait := 200 * time.Millisecond
	for {
		started := time.Now()
		err := c.consume(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(started) > time.Minute {
			wait = 200 * time.Millisecond
		}
		c.log.Error("kafka consumer failed; joining again", "err", err, "wait", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

func (c *Consumer) consume(ctx context.Context) error {
	r := c.newReader()
	defer func() { _ = r.Close() }()
	batch := make([]kafkago.Message, 0, c.cfg.BatchSize)
	msgs := make([]pipeline.Message, 0, c.cfg.BatchSize)
	for {
		batch = batch[:0]
		if err := fill(ctx, r, &batch, c.cfg.BatchSize, c.cfg.BatchWait); err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
		msgs = msgs[:0]
		for _, m := range batch {
			msgs = append(msgs, pipeline.Message{Key: m.Key, Value: m.Value, Time: m.Time, SentBy: header(m, HeaderSentBy),
				Source: m.Topic + "/" + strconv.Itoa(m.Partition) + "/" + strconv.FormatInt(m.Offset, 10)})
		}
		if err := c.process(ctx, msgs); err != nil {
			return err // only when ctx ended: the pipeline retries everything else
		}
		// Hand the offsets to the reader's committer even while shutting down: the batch is
		// applied, and the committer's last flush (when the reader closes) saves the next reader
		// a redelivery. It takes them at once unless it is busy retrying a commit; a failure
		// to commit is logged by the reader.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CommitWait)
		err := r.CommitMessages(cctx, batch...)
		cancel()
		if err != nil {
			// The reader is closing or stuck; the next reader gets the batch again and the
			// ledger's dedupe makes that a no-op.
			c.log.Warn("offsets not handed to the committer; the batch will be redelivered", "err", err, "messages", len(batch))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// batchIdle ends a batch early: when no message came for this long, what the reader had
// queued is in, and waiting longer (up to BatchWait) would only make every event in the batch
// later. At 2,000 events/s the next one is usually there within it.
const batchIdle = time.Millisecond

// fill blocks for the first message, then takes the messages that follow one another without a
// pause of batchIdle, for at most wait, up to size. A context is made per pause, not per
// message.
func fill(ctx context.Context, r *kafkago.Reader, batch *[]kafkago.Message, size int, wait time.Duration) error {
	m, err := r.FetchMessage(ctx)
	if err != nil {
		return err
	}
	*batch = append(*batch, m)
	last := time.Now()
	end := last.Add(wait)
	for len(*batch) < size {
		deadline := last.Add(min(batchIdle, wait))
		if deadline.After(end) {
			deadline = end
		}
		if !time.Now().Before(deadline) {
			return nil
		}
		wctx, cancel := context.WithDeadline(ctx, deadline)
		for len(*batch) < size {
			m, err := r.FetchMessage(wctx)
			if err != nil {
				cancel()
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if wctx.Err() == nil {
					return err
				}
				break // a pause, or the batch's time is up: the outer loop tells which
			}
			*batch = append(*batch, m)
			last = time.Now()
		}
		cancel()
	}
	return nil
}

// header is the value of m's header key (the last one, if repeated), or "".
func header(m kafkago.Message, key string) string {
	v := ""
	for _, h := range m.Headers {
		if h.Key == key {
			v = string(h.Value)
		}
	}
	return v
}
