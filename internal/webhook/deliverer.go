package webhook

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Queue is the deliveries waiting to be sent (postgres.DB).
type Queue interface {
	// Deliver claims the due head of line of one enabled endpoint that no other deliverer
	// holds, with the deliveries behind it in its line, up to limit in all, due and in order
	// (a run); calls send with the run; and stores the outcomes send returns, one for each of
	// the run's first deliveries (the rest stay queued as they were): each delivered,
	// scheduled again or given up with its endpoint disabled, and its attempt in the log. All
	// in one transaction that holds the head while send runs: no one sends the head, or
	// anything behind it, meanwhile. It reports how many deliveries it claimed, 0 when nothing
	// was due.
	Deliver(ctx context.Context, now time.Time, limit int, send func(context.Context, []Delivery) []Outcome) (int, error)
	// PruneWebhooks removes deliveries delivered, and attempts logged, before then.
	PruneWebhooks(ctx context.Context, before time.Time) error
}

// Deliverer sends what the queue holds, off the ingest path: Workers requests at a time across
// endpoints, one at a time per endpoint and in order, so a slow or dead receiver holds up only
// its own line (and at most one worker, for at most the client's timeout). A worker takes a
// run of one line at a time (RunMax deliveries, RunTime of sending at most) and the queue
// records it with one commit: a commit per delivery was what bounded the throughput.
type Deliverer struct {
	Queue    Queue
	Client   *http.Client // default NewClient(Guard{}, Timeout)
	Schedule Schedule
	Renderer Renderer
	Workers  int              // default 6
	RunMax   int              // the most deliveries of one line sent under one claim; default 50
	RunTime  time.Duration    // no further request of a run starts after this much sending; default 1 s
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
	if d.RunMax <= 0 {
		d.RunMax = 50
	}
	if d.RunTime <= 0 {
		d.RunTime = time.Second
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
		found, err := d.Queue.Deliver(ctx, d.Now(), d.RunMax, d.sendRun)
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
		if found > 0 {
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
