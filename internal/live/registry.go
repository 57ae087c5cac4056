package live

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"bullpen/internal/live/wire"
)

// registry knows which channels this node watches and which of its sockets watch each: one
// subscription to the channel log per channel that at least one local socket watches, made by
// its first watcher and dropped with its last.
type registry struct {
	metrics *metrics
	logger  *slog.Logger
	sub     Subscription // set when the node starts, before any socket may watch

	// cmdMu orders SUBSCRIBE and UNSUBSCRIBE with the creation and removal of the channels
	// that call for them. Watching a channel the node already has takes only that channel's lock.
	cmdMu sync.Mutex
	// mu guards what follows.
	mu       sync.RWMutex
	channels map[string]*watchedChannel
	awaited  map[string]int // SUBSCRIBEs sent and not yet confirmed, by channel
}

type watchedChannel struct {
	name   string
	ready  chan struct{} // closed when the log confirmed the subscription
	isDone bool          // guarded by the registry's mu

	mu   sync.RWMutex // guards subs and dead
	subs map[*subscription]struct{}
	dead bool // removed from the registry: a watcher must make a new one
}

// subscription is one socket watching one channel. Its fields are guarded by the socket's mu.
type subscription struct {
	sock    *socket
	ch      wire.Channel
	pending bool             // catching up: live messages wait in buf
	buf     []channelMessage // live messages that came while catching up
	// overflowed: more came while catching up than buf holds; they were dropped, and the
	// catch-up's end starts another from where it got (the history has them).
	overflowed bool
	epoch      string // of the last message the client has (or the snapshot)
	seq        int64  // of the last message the client has (or the snapshot reflects)
	removed    bool
}

func newRegistry(m *metrics, logger *slog.Logger) *registry {
	return &registry{metrics: m, logger: logger, channels: map[string]*watchedChannel{}, awaited: map[string]int{}}
}

// lookup is the channel's entry, nil when no local socket watches it.
func (r *registry) lookup(name string) *watchedChannel {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.channels[name]
}

// watch registers sub so that live messages start queueing for it, and returns once the log
// confirmed the channel's subscription: reading the channel's state after that misses nothing.
// A channel the node already watches takes only its own lock (a reconnect storm subscribes
// thousands of sockets to a few channels at once); the first watcher subscribes the node.
func (r *registry) watch(ctx context.Context, sub *subscription) error {
	ch := r.lookup(sub.ch.Name)
	if ch == nil || !ch.add(sub) {
		var err error
		if ch, err = r.watchSlow(ctx, sub); err != nil {
			return err
		}
	}
	select {
	case <-ch.ready:
		return nil
	case <-ctx.Done():
		r.unwatch(sub)
		return ctx.Err()
	}
}

// add registers sub unless the channel is being removed.
func (ch *watchedChannel) add(sub *subscription) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.dead {
		return false
	}
	ch.subs[sub] = struct{}{}
	return true
}

// watchSlow registers sub under cmdMu, making the channel and subscribing to it if needed.
func (r *registry) watchSlow(ctx context.Context, sub *subscription) (*watchedChannel, error) {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	name := sub.ch.Name
	r.mu.Lock()
	ch := r.channels[name]
	created := ch == nil
	if created {
		ch = &watchedChannel{name: name, subs: map[*subscription]struct{}{}, ready: make(chan struct{})}
		r.channels[name] = ch
		r.awaited[name]++
		r.metrics.channels.Inc()
	}
	ch.add(sub) // under cmdMu nobody removes it
	r.mu.Unlock()
	if !created {
		return ch, nil
	}
	if err := r.sub.Subscribe(ctx, name); err != nil {
		// No confirmation will come for it; a stray one is taken for a reconnect.
		r.mu.Lock()
		if r.awaited[name]--; r.awaited[name] <= 0 {
			delete(r.awaited, name)
		}
		r.mu.Unlock()
		r.unwatchLocked(sub)
		return nil, err
	}
	return ch, nil
}

// unwatch removes sub; the last local watcher of a channel unsubscribes the node from it.
func (r *registry) unwatch(sub *subscription) {
	ch := r.lookup(sub.ch.Name)
	if ch == nil {
		return
	}
	ch.mu.Lock()
	delete(ch.subs, sub)
	empty := len(ch.subs) == 0
	ch.mu.Unlock()
	if !empty {
		return
	}
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	r.unwatchLocked(sub)
}

// unwatchLocked (under cmdMu) removes sub and, if it was the last, the channel.
func (r *registry) unwatchLocked(sub *subscription) {
	name := sub.ch.Name
	r.mu.Lock()
	ch := r.channels[name]
	last := false
	if ch != nil {
		ch.mu.Lock()
		delete(ch.subs, sub)
		if len(ch.subs) == 0 {
			ch.dead = true
			delete(r.channels, name)
			r.metrics.channels.Dec()
			last = true
		}
		ch.mu.Unlock()
	}
	r.mu.Unlock()
	if last {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := r.sub.Unsubscribe(ctx, name); err != nil {
			r.logger.Warn("live: unsubscribe", "channel", name, "err", err)
		}
	}
}

// confirmed marks a channel ready once the log confirmed every SUBSCRIBE sent for it. A
// confirmation nobody awaited comes from a reconnect of the subscription, which may have lost
// messages: the channel's sockets check with the history.
func (r *registry) confirmed(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch := r.channels[name]
	if r.awaited[name] > 0 {
		r.awaited[name]--
		if r.awaited[name] == 0 {
			delete(r.awaited, name)
			if ch != nil && !ch.isDone {
				ch.isDone = true
				close(ch.ready)
			}
		}
		return
	}
	if ch == nil {
		return
	}
	ch.mu.RLock()
	defer ch.mu.RUnlock()
	for sub := range ch.subs {
		sub.sock.resync(sub)
	}
}
