package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Queue is the deliveries waiting to be sent (postgres.DB).
type Queue interface {
	// Deliver claims the due head of line of one enabled endpoint that no other deliverer
	// holds, calls send with it, and stores the outcome (the delivery delivered, scheduled
	// again or given up with its endpoint disabled, and the attempt in the log), in one
	// transaction that holds the delivery while send runs: no one sends it, or the next of its
	// line, meanwhile. It reports false when nothing was due.
	Deliver(ctx context.Context, now time.Time, send func(context.Context, Delivery) Outcome) (bool, error)
	// PruneWebhooks removes deliveries delivered, and attempts logged, before then.
	PruneWebhooks(ctx context.Context, before time.Time) error
}

// Deliverer sends what the queue holds, off the ingest path: Workers requests at a time across
// endpoints, one at a time per endpoint and in order, so a slow or dead receiver holds up only
// its own line (and at most one worker, for at most the client's timeout).
type Deliverer struct {
	Queue    Queue
	Client   *http.Client // default NewClient(Guard{}, Timeout)
	Schedule Schedule
	Renderer Renderer
	Workers  int              // default 6
	Poll     time.Duration    // how often an idle worker looks for due work without a kick; default 1 s
	Keep     time.Duration    // how long delivered deliveries and the log are kept; default 7 days
	Now      func() time.Time // default time.Now
	Log      *slog.Logger
	once     sync.Once
	kick     chan struct{}
	warnMu   sync.Mutex
	warned   time.Time // when a queue failure was last logged
	failures int       // since then
}

func (d *Deliverer) defaults() { d.once.Do(d.fill) }

func (d *Deliverer) fill() {
	if d.Client == nil {
		d.Client = NewClient(Guard{}, Timeout)
	}
	if d.Workers <= 0 {
		d.Workers = 6
	}
	if d.Poll <= 0 {
		d.Poll = time.Second
	}
	if d.Keep <= 0 {
		d.Keep = 7 * 24 * time.Hour
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.kick = make(chan struct{}, 1)
}

// Kick wakes a worker now (after a batch that may have queued deliveries).
func (d *Deliverer) Kick() {
	d.defaults()
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	d.defaults()
	done := make(chan struct{})
	for range d.Workers {
		go func() {
			defer func() { done <- struct{}{} }()
			d.work(ctx)
		}()
	}
	go d.poll(ctx)
	d.prune(ctx)
	for range d.Workers {
		<-done
	}
	return nil
}

// poll kicks a worker every Poll, for what no kick announced: a delivery queued by the server
// or another process, a retry come due. Idle, a process asks the database once per Poll, not
// once per worker, and a worker busy with a hung receiver never stops the looking.
func (d *Deliverer) poll(ctx context.Context) {
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.Kick()
		}
	}
}

// work delivers until ctx ends. An idle worker waits for a kick: a batch, the poll, or another
// worker that found work (so they wake one another while there is some).
func (d *Deliverer) work(ctx context.Context) {
	t := time.NewTimer(errorWait)
	defer t.Stop()
	for {
		found, err := d.Queue.Deliver(ctx, d.Now(), d.send)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.warn(err)
			// The database is likely down: this worker sits out a while, kicks or not.
			t.Reset(errorWait)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			continue
		}
		if found {
			d.Kick() // there may be more: a second worker takes the next line
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-d.kick:
		}
	}
}

// errorWait is how long a worker waits after the queue failed (PostgreSQL down or restarting).
const errorWait = 5 * time.Second

// warn logs a queue failure at most once every 10 s, with how many there were since: with the
// database down, every worker fails on every look.
func (d *Deliverer) warn(err error) {
	d.warnMu.Lock()
	defer d.warnMu.Unlock()
	d.failures++
	if now := time.Now(); now.Sub(d.warned) >= 10*time.Second {
		d.Log.Warn("webhook deliveries cannot be claimed or recorded; retrying", "err", err, "failures", d.failures)
		d.warned, d.failures = now, 0
	}
}

func (d *Deliverer) prune(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if err := d.Queue.PruneWebhooks(ctx, d.Now().Add(-d.Keep)); err != nil && ctx.Err() == nil {
			d.Log.Warn("pruning the webhook log failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// send makes one attempt at del and decides what becomes of it.
func (d *Deliverer) send(ctx context.Context, del Delivery) Outcome {
	res := d.post(ctx, del)
	return d.Schedule.Decide(del, res, d.Now())
}

func (d *Deliverer) post(ctx context.Context, del Delivery) Result {
	body, err := d.Renderer.Render(del)
	if err != nil {
		return Result{Err: err}
	}
	at := d.Now()
	sig, err := Sign(del.Secret, del.ID, at, body)
	if err != nil {
		return Result{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.URL, bytes.NewReader(body))
	if err != nil {
		return Result{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Bullpen-Webhooks/1")
	req.Header.Set(HeaderID, del.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	start := time.Now()
	resp, err := d.Client.Do(req)
	if err != nil {
		return Result{Err: withoutURL(err), Latency: time.Since(start)}
	}
	// Read (a little of) the answer, so the connection can be used again.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return Result{Status: resp.StatusCode, Latency: time.Since(start)}
}

// withoutURL drops the URL from a client error: a chat's webhook URL is a secret of its own,
// and the log says which endpoint anyway.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
