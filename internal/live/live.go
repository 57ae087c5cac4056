// Package live is the server's socket subsystem (/ws): clients authenticate, subscribe to
// channels and get each channel's messages in order, resuming where they left off. It is
// made of parts with one job each:
//
//   - the handler and protocol (handler.go, protocol.go): the upgrade, auth, client messages
//     (read and checked by internal/live/wire, the protocol's pure parsing);
//   - the socket and its writer (socket.go, flush.go): one connection, its queue and frames;
//   - the channel registry (registry.go): which channels this node watches for which sockets;
//   - the fan-out (fanout.go, burst.go): the node's one reader of the channel log, handing each
//     burst's messages, by channel, to the sockets watching them and their frames to the flushers;
//   - catch-up (catchup.go, tail.go, snapshot.go): a subscription brought to the channel's
//     current seq from its history or a snapshot, without a gap;
//   - presence (presence.go): the wall displays connected, on every node;
//   - revocation (revoke.go): a revoked token's sockets closed on every node, a rotated one's
//     rechecked; expiry (expiry.go): a socket closed when its secret stops working;
//   - the socket set (sockets.go): pings, and the drain on shutdown.
//
// Seq, epoch and history belong to the channel log, shared by every node; a node keeps only
// who watches what here.
package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"bullpen/internal/build"
)

// Deps is what the live subsystem is built from.
type Deps struct {
	Tokens    Tokens
	Snapshots Snapshots
	Log       ChannelLog
	Presence  PresenceStore
	// Registry takes the subsystem's metrics (the server's /metrics).
	Registry prometheus.Registerer
	Logger   *slog.Logger
	Now      func() time.Time // default time.Now
	// Currency and ServerVersion (default: the build's) are what a welcome carries.
	Currency      string
	ServerVersion string
	// AllowedOrigins are the browser origins allowed to open a socket (none: the server's own).
	AllowedOrigins []string
	Options        Options
}

// Options tunes /ws. A zero field takes its default (the contract's figures where it gives
// one); tests shorten the timeouts.
type Options struct {
	AuthTimeout      time.Duration // first message must be auth within it (10 s)
	IdleTimeout      time.Duration // no message or pong for this long: 4408 (60 s)
	PingInterval     time.Duration // server pings (25 s)
	WriteTimeout     time.Duration // one frame's write; a client this slow is gone (10 s)
	QueueSize        int           // live messages waiting for one socket's writer (256)
	RateLimit        float64       // client messages per second, sustained (20)
	RateBurst        int           // client messages in a burst (50)
	PresenceInterval time.Duration // how often wall displays refresh their presence (15 s)
	DrainTimeout     time.Duration // how long shutdown waits for sockets to close (5 s)
	// PlainWrites writes each socket's frames with a system call of its own, where io_uring
	// would send a chunk of sockets' with one (flush.go, sends.go); io_uring is used only where
	// the kernel allows it either way.
	PlainWrites bool
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.AuthTimeout, 10*time.Second)
	def(&o.IdleTimeout, 60*time.Second)
	def(&o.PingInterval, 25*time.Second)
	def(&o.WriteTimeout, 10*time.Second)
	def(&o.PresenceInterval, 15*time.Second)
	def(&o.DrainTimeout, 5*time.Second)
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 20
	}
	if o.RateBurst <= 0 {
		o.RateBurst = 50
	}
	return o
}

// Live is this node's side of the sockets.
type Live struct {
	deps    Deps
	opt     Options
	logger  *slog.Logger
	node    string // this node's name in the presence of its displays
	metrics *metrics
	flight  singleflight.Group // snapshots shared by sockets asking at once
	snaps   snapshotCache      // the latest snapshot frame of each shared channel

	channels *registry
	fan      *fanOut
	sockets  *socketSet
	presence *presence
	revoked  *revocations
	tails    tailReads

	// The node's subscription and the goroutines that serve it run from the first socket
	// to the drain.
	startMu sync.Mutex
	started bool
	stopped bool
	ctx     context.Context // from start to shutdown
	stop    context.CancelFunc
	sub     Subscription
	loops   sync.WaitGroup // presence and pings: the drain waits for them (presence's last flush logs)
}

// New builds the live subsystem. It holds no connection until the first socket.
func New(d Deps) *Live {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.ServerVersion == "" {
		d.ServerVersion = build.Get().Version
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	l := &Live{deps: d, opt: d.Options.withDefaults(), logger: d.Logger, node: hex.EncodeToString(b),
		metrics: newMetrics(d.Registry), tails: tailReads{keys: map[string]*tailKey{}}}
	l.channels = newRegistry(l.metrics, l.logger)
	l.sockets = newSocketSet(l.metrics, l.logger, l.opt)
	l.fan = newFanOut(l.channels, l.logger)
	l.fan.plainWrites = l.opt.PlainWrites
	l.presence = newPresence(d.Presence, l.sockets, l.node, l.logger, l.opt.PresenceInterval)
	l.revoked = newRevocations(d.Log, d.Tokens, l.sockets, l.logger)
	return l
}

var errStopped = errors.New("the socket subsystem has stopped")

// start opens the node's subscription on the first socket: a server that never sees a socket
// holds none. A failed start is retried by the next socket.
func (l *Live) start() error {
	l.startMu.Lock()
	defer l.startMu.Unlock()
	switch {
	case l.stopped:
		return errStopped
	case l.started:
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := l.deps.Log.Listen(ctx)
	if err != nil {
		cancel()
		return err
	}
	l.sub, l.ctx, l.stop, l.started = sub, ctx, cancel, true
	l.channels.sub = sub
	l.fan.start(ctx, sub, l.revoked, runtime.GOMAXPROCS(0))
	l.loops.Go(func() { l.presence.loop(ctx) })
	l.loops.Go(func() { l.sockets.pingLoop(ctx) })
	return nil
}

// Drain closes every socket with 1001 and waits for them (up to DrainTimeout), then closes the
// node's subscription. New sockets are refused from the start.
func (l *Live) Drain() {
	l.sockets.drain()
	l.startMu.Lock()
	defer l.startMu.Unlock()
	l.stopped = true
	if !l.started {
		return
	}
	l.stop()
	_ = l.sub.Close()
	l.fan.wait()
	l.loops.Wait()
}

// Revoke closes the sockets of a revoked token here and, through the channel log, on every
// node.
func (l *Live) Revoke(tokenID string) { l.revoked.revoke(tokenID) }

// Rotated has the sockets of a rotated token learn, here and through the channel log on every
// node, when the secret each holds stops working.
func (l *Live) Rotated(tokenID string) { l.revoked.rotate(tokenID) }

// Displays lists the wall displays connected to any node.
func (l *Live) Displays(ctx context.Context) ([]Display, error) { return l.presence.list(ctx) }
