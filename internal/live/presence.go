package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
)

// presence writes what GET /displays shows of this node's wall displays to the presence store,
// where every node lists every node's. Changes are batched: a reconnect storm of thousands of
// displays writes a few commands, not three round trips per socket on the way to its first
// frame. One goroutine writes, in order, so a display's delete never precedes its last write.
type presence struct {
	store    PresenceStore
	sockets  *socketSet
	node     string
	logger   *slog.Logger
	interval time.Duration // every display's presence is refreshed this often

	mu    sync.Mutex
	dirty map[*socket]struct{} // to (re)write
	gone  []string             // fields to delete
	kick  chan struct{}
}

// Display is a connected wall display (GET /displays).
type Display struct {
	TokenID     string    `json:"token_id"`
	Name        string    `json:"name"`
	ConnectedAt time.Time `json:"connected_at"`
	LastSeen    time.Time `json:"last_seen"`
	Channels    []string  `json:"channels"`
}

// presenceMaxAge: an entry not refreshed for this long belongs to a node that died.
const presenceMaxAge = 60 * time.Second

// presenceBatch is how long a presence change waits for others to share its write.
const presenceBatch = 50 * time.Millisecond

func newPresence(store PresenceStore, sockets *socketSet, node string, logger *slog.Logger, interval time.Duration) *presence {
	return &presence{store: store, sockets: sockets, node: node, logger: logger, interval: interval,
		dirty: map[*socket]struct{}{}, kick: make(chan struct{}, 1)}
}

func (p *presence) field(sock *socket) string { return p.node + ":" + sock.id }

func (p *presence) of(sock *socket) []byte {
	t := sock.token
	d := Display{TokenID: t.ID, Name: t.Name, ConnectedAt: sock.connectedAt, Channels: sock.channelNames(),
		LastSeen: time.Unix(0, sock.lastSeen.Load()).UTC()}
	return mustJSON(d)
}

func (p *presence) kickNow() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// mark has a display's presence (re)written shortly: it connected or changed channels.
func (p *presence) mark(sock *socket) {
	if !sock.isDisplay() {
		return
	}
	p.mu.Lock()
	p.dirty[sock] = struct{}{}
	p.mu.Unlock()
	p.kickNow()
}

// leave has a display's presence deleted shortly.
func (p *presence) leave(sock *socket) {
	if !sock.isDisplay() {
		return
	}
	p.mu.Lock()
	delete(p.dirty, sock)
	p.gone = append(p.gone, p.field(sock))
	p.mu.Unlock()
	p.kickNow()
}

// loop writes presence changes as they come (batched) and refreshes every display's presence
// every interval; at the end it writes what is left.
func (p *presence) loop(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			p.flush(fctx, false)
			cancel()
			return
		case <-p.kick:
			select {
			case <-ctx.Done():
			case <-time.After(presenceBatch):
			}
			p.flush(ctx, false)
		case <-t.C:
			p.flush(ctx, true)
		}
	}
}

// flush writes the changed presences (with all, every display's) and deletes those of
// displays gone.
func (p *presence) flush(ctx context.Context, all bool) {
	p.mu.Lock()
	dirty, gone := p.dirty, p.gone
	p.dirty, p.gone = map[*socket]struct{}{}, nil
	p.mu.Unlock()
	if all {
		p.sockets.each(func(sock *socket) {
			if sock.isDisplay() {
				dirty[sock] = struct{}{}
			}
		})
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if len(dirty) > 0 {
		entries := make(map[string][]byte, len(dirty))
		for sock := range dirty {
			entries[p.field(sock)] = p.of(sock)
		}
		if err := p.store.SetPresence(wctx, entries); err != nil {
			p.logger.Warn("write display presence", "err", err)
		}
	}
	if len(gone) > 0 {
		if err := p.store.DeletePresence(wctx, gone...); err != nil {
			p.logger.Warn("remove display presence", "err", err)
		}
	}
}

// list reads the wall displays connected to any node, dropping entries of dead nodes.
func (p *presence) list(ctx context.Context) ([]Display, error) {
	all, err := p.store.Presence(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	items := []Display{}
	var stale []string
	for field, v := range all {
		var d Display
		if err := json.Unmarshal([]byte(v), &d); err != nil || now.Sub(d.LastSeen) > presenceMaxAge {
			stale = append(stale, field)
			continue
		}
		if d.Channels == nil {
			d.Channels = []string{}
		}
		items = append(items, d)
	}
	if len(stale) > 0 {
		if err := p.store.DeletePresence(ctx, stale...); err != nil {
			p.logger.Warn("remove stale display presence", "err", err)
		}
	}
	return items, nil
}
