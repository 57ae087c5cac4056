package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/ingest"
	"bullpen/internal/message"
	"bullpen/internal/standings"
	"bullpen/internal/target"
)

// Channels numbers and announces messages of the live channels (docs/api.md §4).
type Channels interface {
	Publish(ctx context.Context, channel, typ string, data []byte) (string, error)
}

// Outbox holds the messages committed with the changes they report.
type Outbox interface {
	DrainOutbox(ctx context.Context, limit int, publish func([]bullpen.Queued) error) (int, error)
}

// Batcher publishes a page of queued messages in order.
type Batcher interface {
	PublishQueued(ctx context.Context, msgs []bullpen.Queued) error
}

// Publisher moves committed messages from the outbox to the live channels, in order.
type Publisher struct {
	Outbox   Outbox
	Channels Batcher
	Log      *slog.Logger
	Metrics  *Metrics // optional: times each page (step "publish")
	kick     chan struct{}
	once     sync.Once
}

func (p *Publisher) init() { p.once.Do(func() { p.kick = make(chan struct{}, 1) }) }

// Kick asks for a drain now (after a batch committed messages).
func (p *Publisher) Kick() {
	p.init()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// drainPage is how many messages one outbox transaction publishes (one Redis round trip).
const drainPage = 1000

// Run drains the outbox when kicked, and every half second in case a kick was missed (a
// message written by another process, a restart).
func (p *Publisher) Run(ctx context.Context) error {
	p.init()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.kick:
		case <-t.C:
		}
		for {
			start := time.Now()
			n, err := p.Outbox.DrainOutbox(ctx, drainPage, func(page []bullpen.Queued) error {
				return p.Channels.PublishQueued(ctx, page)
			})
			if n > 0 {
				p.Metrics.step("publish", time.Since(start))
			}
			if err != nil {
				if ctx.Err() == nil {
					p.Log.Warn("publishing live messages failed; will retry", "err", err)
				}
				break
			}
			if n < drainPage {
				break
			}
		}
	}
}

// Boards reads the projection's boards and directory.
type Boards interface {
	Range(ctx context.Context, contestID, periodKey string, offset, limit int64) ([]standings.Row, int64, error)
	Reps(ctx context.Context, ids []string) (map[string]bullpen.Rep, error)
}

// Contests finds a contest by id, and the open ones (live, or ended and not yet final).
type Contests interface {
	Contest(ctx context.Context, id string) (*contest.Contest, error)
	OpenContests(ctx context.Context, now time.Time) ([]*contest.Contest, error)
}

// SharedMerge lets several consumer processes merge as one: each marks the contests it
// changed, and only the holder of the lease takes the marks and sends.
type SharedMerge interface {
	MarkChanged(ctx context.Context, contestIDs []string) error
	TakeChanged(ctx context.Context) ([]string, error)
	HoldMergeLease(ctx context.Context, holder string, ttl time.Duration) (bool, error)
}

// Merger sends a contest's standings as "update" messages, merged where they are produced: the
// first change after a quiet moment goes out at once, later ones at most every Interval, each
// with the whole top of the board so any message can be drawn alone.
//
// With Shared set, one merger among all the consumer processes sends (the lease holder); the
// others pass on what their batches changed. Without it, the merger works alone (one process).
// A merger that takes over cannot know what its predecessor took from the shared set and never
// sent (a process killed or stopped less than an Interval after a change), so it sends every
// open contest's standings once. It has no earlier ranks to compare with, so rank changes in
// the moment of a take-over (up to the lease's time) are not told.
type Merger struct {
	Boards   Boards
	Contests Contests
	Channels interface {
		Channels
		Batcher
	}
	Shared   SharedMerge
	Holder   string // this process, in the lease
	Interval time.Duration
	Top      int64
	Log      *slog.Logger
	// Attainment sends the boards of the target sets marked changed (target.Mark); optional.
	Attainment *AttainmentSender

	mu      sync.Mutex
	last    map[string]time.Time // when each contest's last update went out
	touched map[string]bool      // changed by this process's batches, not yet passed on
	dirty   map[string]bool      // changed since the last update (the lease holder's, when shared)
	leading bool                 // holds the merge lease
	resend  bool                 // took the lease over: every open contest is to be sent once
	wake    chan struct{}
	started sync.Once
	places  map[string]map[string]standings.Place // contest/period -> the ranks last sent
	names   map[string]cachedName                 // rep -> name, for rank messages
}

// cachedName is a rep's name as rank messages show it; names change rarely, and a busy board
// would otherwise read the directory for thousands of reps four times a second.
type cachedName struct {
	name string
	at   time.Time
}

const nameTTL = 30 * time.Second

// fullBoard bounds how much of a board is read to tell reps their rank changed.
const fullBoard = 10000

func (m *Merger) init() {
	m.started.Do(func() {
		m.last, m.dirty, m.touched, m.wake = map[string]time.Time{}, map[string]bool{}, map[string]bool{}, make(chan struct{}, 1)
		m.places = map[string]map[string]standings.Place{}
		m.names = map[string]cachedName{}
	})
}

// Touched marks the contests of rows as changed.
func (m *Merger) Touched(rows []ingest.Row) {
	m.init()
	m.mu.Lock()
	for _, r := range rows {
		m.touched[r.ContestID] = true
	}
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// TouchedSets marks the target sets of attainment rows as changed.
func (m *Merger) TouchedSets(vals []target.Value) {
	if len(vals) == 0 {
		return
	}
	m.init()
	m.mu.Lock()
	for _, v := range vals {
		m.touched[target.Mark(v.SetID)] = true
	}
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run sends the updates that are due until ctx ends.
func (m *Merger) Run(ctx context.Context) error {
	m.init()
	t := time.NewTicker(m.Interval / 5)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.wake:
		case <-t.C:
		}
		if err := m.gather(ctx); err != nil {
			if ctx.Err() == nil {
				m.Log.Warn("standings merge: shared state unreachable", "err", err)
			}
			continue
		}
		for _, id := range m.due(time.Now()) {
			if err := m.send(ctx, id); err != nil && ctx.Err() == nil {
				m.Log.Warn("standings update not sent", "contest", id, "err", err)
			}
		}
	}
}

// mergeLease is how long a lease holder that stops renewing keeps the merge to itself.
const mergeLease = 2 * time.Second

// gather collects what changed: this process's own changes, or, when shared, passes them on
// and, if it holds the lease, takes everyone's.
func (m *Merger) gather(ctx context.Context) error {
	m.mu.Lock()
	touched := make([]string, 0, len(m.touched))
	for id := range m.touched {
		touched = append(touched, id)
	}
	clear(m.touched)
	if m.Shared == nil {
		for _, id := range touched {
			m.dirty[id] = true
		}
		m.mu.Unlock()
		return nil
	}
	m.mu.Unlock()
	if err := m.Shared.MarkChanged(ctx, touched); err != nil {
		m.mu.Lock()
		for _, id := range touched {
			m.touched[id] = true
		}
		m.mu.Unlock()
		return err
	}
	leading, err := m.Shared.HoldMergeLease(ctx, m.Holder, mergeLease)
	if err != nil {
		return err
	}
	m.mu.Lock()
	if !leading && m.leading {
		// Another process merges now: what this one remembers goes stale.
		clear(m.dirty)
		clear(m.places)
		if m.Attainment != nil {
			m.Attainment.forget()
		}
	}
	if leading && !m.leading {
		m.resend = true
	}
	m.leading = leading
	m.mu.Unlock()
	if !leading {
		return nil
	}
	ids, err := m.Shared.TakeChanged(ctx)
	if err != nil {
		return err
	}
	m.mu.Lock()
	for _, id := range ids {
		m.dirty[id] = true
	}
	resend := m.resend
	m.mu.Unlock()
	if !resend {
		return nil
	}
	open, err := m.Contests.OpenContests(ctx, time.Now())
	if err != nil {
		return err // tried again at the next gather
	}
	m.mu.Lock()
	for _, c := range open {
		m.dirty[c.ID] = true
	}
	m.resend = false
	m.mu.Unlock()
	return nil
}

// due picks the changed contests whose last update is at least Interval old.
func (m *Merger) due(now time.Time) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for id := range m.dirty {
		if now.Sub(m.last[id]) >= m.Interval {
			out = append(out, id)
			delete(m.dirty, id)
			m.last[id] = now
		}
	}
	return out
}

func (m *Merger) send(ctx context.Context, contestID string) error {
	if setID, ok := target.ParseMark(contestID); ok {
		if m.Attainment == nil {
			return nil
		}
		return m.Attainment.Send(ctx, m.Channels, setID)
	}
	if setID, k, ok := target.ParseRemovedMark(contestID); ok {
		if m.Attainment == nil {
			return nil
		}
		return m.Attainment.SendRemoved(ctx, m.Channels, setID, k)
	}
	c, err := m.Contests.Contest(ctx, contestID)
	if err != nil {
		return err
	}
	now := time.Now()
	p := standings.CurrentPeriod(c, now)
	rows, total, err := m.Boards.Range(ctx, c.ID, p.Key, 0, fullBoard)
	if err != nil {
		return err
	}
	top := rows[:min(int64(len(rows)), m.Top)]
	dir, err := m.Boards.Reps(ctx, standings.Entrants(c, top))
	if err != nil {
		return err
	}
	q, err := message.Encode(bullpen.Notice{Channel: bullpen.ContestChannel(c.ID), Type: message.TypeUpdate,
		Data: standings.Build(c, p, now, top, total, dir)})
	if err != nil {
		return err
	}
	if _, err = m.Channels.Publish(ctx, q.Channel, q.Type, q.Data); err != nil {
		return err
	}
	return m.sendRanks(ctx, c, p.Key, rows)
}

// sendRanks tells each rep whose rank moved since the last update. Names are looked up only for
// the reps the messages mention.
func (m *Merger) sendRanks(ctx context.Context, c *contest.Contest, periodKey string, rows []standings.Row) error {
	key := c.ID + "/" + periodKey
	order := make([]string, len(rows))
	cur := make(map[string]standings.Place, len(rows))
	for i, r := range rows {
		order[i] = r.Entrant
		cur[r.Entrant] = standings.Place{Rank: r.Position + 1, Score: r.Score}
	}
	m.mu.Lock()
	prev := m.places[key]
	m.places[key] = cur
	m.mu.Unlock()
	if prev == nil {
		return nil // first look at this board since start: nothing to compare with
	}
	changes := standings.RankChanges(c, prev, order, cur, nil)
	if len(changes) == 0 {
		return nil
	}
	names, err := m.lookupNames(ctx, changes)
	if err != nil {
		return err
	}
	msgs := make([]bullpen.Queued, 0, len(changes))
	for rep, ch := range changes {
		for i := range ch.PassedBy {
			ch.PassedBy[i].Name = names[ch.PassedBy[i].RepID]
		}
		for i := range ch.Passed {
			ch.Passed[i].Name = names[ch.Passed[i].RepID]
		}
		q, err := message.Encode(bullpen.Notice{Channel: bullpen.RepChannel(rep), Type: message.TypeRank, Data: &ch})
		if err != nil {
			return err
		}
		msgs = append(msgs, q)
	}
	return m.Channels.PublishQueued(ctx, msgs)
}

// lookupNames returns the names of the reps rank messages mention, from the cache or, for the
// ones missing or stale, from the directory in one read.
func (m *Merger) lookupNames(ctx context.Context, changes map[string]standings.RankChange) (map[string]string, error) {
	now := time.Now()
	out := map[string]string{}
	var missing []string
	m.mu.Lock()
	for _, ch := range changes {
		for _, n := range append(ch.PassedBy, ch.Passed...) {
			if _, done := out[n.RepID]; done {
				continue
			}
			if c, ok := m.names[n.RepID]; ok && now.Sub(c.at) < nameTTL {
				out[n.RepID] = c.name
				continue
			}
			out[n.RepID] = ""
			missing = append(missing, n.RepID)
		}
	}
	m.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	dir, err := m.Boards.Reps(ctx, missing)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	for _, id := range missing {
		out[id] = dir[id].Name
		m.names[id] = cachedName{name: dir[id].Name, at: now}
	}
	m.mu.Unlock()
	return out, nil
}
