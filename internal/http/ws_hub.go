package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"bullpen/internal/redis"
)

// hub is this node's side of the sockets: one Redis subscription per channel that at least one
// local socket watches, each message received once and handed, as the same bytes, to every
// socket watching it. It never waits on a socket. Seq, epoch and history are Redis's, shared
// by every node; the hub keeps only who watches what here.
type hub struct {
	srv     *Server
	store   *redis.Store
	opt     SocketOptions
	node    string
	metrics *wsMetrics
	flight  singleflight.Group // snapshots and contest reads shared by sockets asking at once

	revokedChannel string // pub/sub: ids of revoked tokens, for every node
	displaysKey    string // hash: node/socket -> presence of a wall display
	pres           presenceWrites
	tails          tailReads

	startMu  sync.Mutex
	started  bool
	stopped  bool
	ps       *goredis.PubSub
	ctx      context.Context // the hub's, from start to shutdown
	stop     context.CancelFunc
	loopDone chan struct{}
	flushCh  chan []*socket // bursts' sockets, in chunks, for the flushers

	// cmdMu orders SUBSCRIBE and UNSUBSCRIBE with the creation and removal of the channels
	// that call for them. Watching a channel the node already has takes only that channel's lock.
	cmdMu sync.Mutex
	// Owned by the goroutine that receives notices: the sockets of the current burst, whose
	// writers start when it ends, and a scratch copy of one channel's subscribers.
	burst   []*socket
	notices int // in the current burst
	fanBuf  []*subscription
	// mu guards what follows.
	mu       sync.RWMutex
	channels map[string]*hubChannel // by notice channel
	awaited  map[string]int         // SUBSCRIBEs sent and not yet confirmed, by notice channel
	sockets  map[*socket]struct{}
	revoked  map[string]time.Time // token ids revoked lately, for sockets still authenticating
	draining bool
	wg       sync.WaitGroup // running sockets
}

type hubChannel struct {
	name   string
	notice string
	ready  chan struct{} // closed when Redis confirmed the subscription
	isDone bool          // guarded by the hub's mu

	mu   sync.RWMutex // guards subs and dead
	subs map[*subscription]struct{}
	dead bool // removed from the hub: a watcher must make a new one
}

// subscription is one socket watching one channel. Its fields are guarded by the socket's mu.
type subscription struct {
	sock    *socket
	ch      channelRef
	notice  string
	pending bool         // catching up: live messages wait in buf
	buf     []hubMessage // live messages that came while catching up
	epoch   string       // of the last message the client has (or the snapshot)
	seq     int64        // of the last message the client has (or the snapshot reflects)
	removed bool
}

// hubMessage is a channel message as Redis announced it, with its seq and epoch read once.
type hubMessage struct {
	seq   int64
	epoch string
	raw   []byte
}

type wsMetrics struct {
	open       prometheus.Gauge
	channels   prometheus.Gauge
	messages   prometheus.Counter
	frames     prometheus.Counter
	slowCloses prometheus.Counter
	closes     *prometheus.CounterVec
}

func newWSMetrics(reg prometheus.Registerer) *wsMetrics {
	m := &wsMetrics{
		open: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bullpen_ws_sockets_open", Help: "Open WebSocket connections on this node."}),
		channels: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bullpen_ws_channels",
			Help: "Channels this node is subscribed to in Redis (one per channel watched by a local socket)."}),
		messages: prometheus.NewCounter(prometheus.CounterOpts{Name: "bullpen_ws_messages_sent_total", Help: "Messages written to sockets."}),
		frames:   prometheus.NewCounter(prometheus.CounterOpts{Name: "bullpen_ws_frames_sent_total", Help: "Data frames written to sockets (a frame packs several messages)."}),
		slowCloses: prometheus.NewCounter(prometheus.CounterOpts{Name: "bullpen_ws_slow_closes_total",
			Help: "Sockets closed with 4408 because their queue was full."}),
		closes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bullpen_ws_closes_total",
			Help: "Closed sockets by close code (network: the connection broke; client: the client closed)."}, []string{"code"}),
	}
	reg.MustRegister(m.open, m.channels, m.messages, m.frames, m.slowCloses, m.closes)
	return m
}

func newHub(s *Server) *hub {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := keyPrefix(s.Store)
	return &hub{srv: s, store: s.Store, opt: s.Sockets.withDefaults(), node: hex.EncodeToString(b),
		metrics: newWSMetrics(s.Registry()), revokedChannel: prefix + ":revoked", displaysKey: prefix + ":displays",
		channels: map[string]*hubChannel{}, awaited: map[string]int{}, sockets: map[*socket]struct{}{},
		revoked: map[string]time.Time{}, pres: presenceWrites{dirty: map[*socket]struct{}{}, kick: make(chan struct{}, 1)},
		tails: tailReads{keys: map[string]*tailKey{}}}
}

// keyPrefix recovers the Store's key prefix from a notice channel's name
// ("{<prefix>:ch:<name>}:notice"), for the two keys of the hub that belong to no channel.
func keyPrefix(s *redis.Store) string {
	if s == nil {
		return ""
	}
	n := s.NoticeChannel("")
	return strings.TrimSuffix(strings.TrimPrefix(n, "{"), ":ch:}:notice")
}

// start opens the node's pub/sub connection on the first socket: a server that never sees a
// socket holds none. A failed start is retried by the next socket.
func (h *hub) start() error {
	h.startMu.Lock()
	defer h.startMu.Unlock()
	switch {
	case h.stopped:
		return errHubStopped
	case h.started:
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	ps := h.store.Subscribe(ctx)
	if err := ps.Subscribe(ctx, h.revokedChannel); err != nil {
		cancel()
		_ = ps.Close()
		return err
	}
	h.ps, h.ctx, h.stop, h.loopDone, h.started = ps, ctx, cancel, make(chan struct{}), true
	h.flushCh = make(chan []*socket, 1024)
	for range runtime.GOMAXPROCS(0) {
		go h.flushLoop(ctx)
	}
	go h.receive(ps.ChannelWithSubscriptions(goredis.WithChannelSize(4096)))
	go h.presenceLoop(ctx)
	go h.pingLoop(ctx)
	return nil
}

// maxBurst bounds how many notices one burst takes before its sockets' writers start, so a
// steady stream of notices cannot hold messages back.
const maxBurst = 64

// receive is the node's one reader of Redis notices. Notices that arrive together (a
// consumer's batch is published in one go) make a burst: each socket's messages of the burst
// are queued first, and its writer starts when the burst ends, so they leave in one frame and
// one system call instead of one each. A burst ends when no notice is waiting, so it adds no
// wait of its own.
func (h *hub) receive(msgs <-chan any) {
	defer close(h.loopDone)
	for m := range msgs {
		switch v := m.(type) {
		case *goredis.Subscription:
			if v.Kind == "subscribe" {
				h.confirmed(v.Channel)
			}
		case *goredis.Message:
			if v.Channel == h.revokedChannel {
				h.srv.forgetToken(v.Payload)
				h.closeToken(v.Payload)
				continue
			}
			h.fanOut(v.Channel, v.Payload)
			h.notices++
		}
		if len(msgs) == 0 || h.notices >= maxBurst {
			h.endBurst()
		}
	}
	h.endBurst()
}

// endBurst hands the sockets that got messages in the burst to the flushers.
func (h *hub) endBurst() {
	for i := 0; i < len(h.burst); i += flushChunk {
		chunk := append([]*socket(nil), h.burst[i:min(i+flushChunk, len(h.burst))]...)
		select {
		case h.flushCh <- chunk:
		case <-h.ctx.Done():
			// Shutting down: the sockets are closing, each with a writer of its own.
		}
	}
	clear(h.burst)
	h.burst, h.notices = h.burst[:0], 0
}

// confirmed marks a channel ready once Redis confirmed every SUBSCRIBE sent for it. A
// confirmation nobody awaited comes from a pub/sub reconnect, which may have lost messages:
// the channel's sockets check with the history.
func (h *hub) confirmed(notice string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch := h.channels[notice]
	if h.awaited[notice] > 0 {
		h.awaited[notice]--
		if h.awaited[notice] == 0 {
			delete(h.awaited, notice)
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

// fanOut hands one message to every local socket watching its channel. It holds the
// channel's lock only to copy the list of watchers: a subscription added after the copy reads
// the channel's state after this message was stored, so it misses nothing.
func (h *hub) fanOut(notice, payload string) {
	h.mu.RLock()
	ch := h.channels[notice]
	h.mu.RUnlock()
	if ch == nil {
		return
	}
	m, ok := parseHubMessage(payload)
	if !ok {
		h.srv.Logger.Error("socket hub: malformed channel message", "channel", ch.name, "message", payload)
		return
	}
	subs := h.fanBuf[:0]
	ch.mu.RLock()
	for sub := range ch.subs {
		subs = append(subs, sub)
	}
	ch.mu.RUnlock()
	for i, sub := range subs {
		if sub.sock.deliver(sub, m) {
			h.burst = append(h.burst, sub.sock)
		}
		subs[i] = nil
	}
	h.fanBuf = subs[:0]
}

// parseHubMessage reads seq and epoch of a message; the bytes themselves go out as they came.
func parseHubMessage(payload string) (hubMessage, bool) {
	raw := []byte(payload)
	m := hubMessage{raw: raw}
	// The publishing script writes `"seq":N,"epoch":"E"` before the data; read them without
	// decoding the data, and decode fully only if the layout is something else.
	if i := bytes.Index(raw, []byte(`,"seq":`)); i >= 0 {
		rest := raw[i+len(`,"seq":`):]
		if j := bytes.Index(rest, []byte(`,"epoch":"`)); j > 0 {
			seq, err := strconv.ParseInt(string(rest[:j]), 10, 64)
			e := rest[j+len(`,"epoch":"`):]
			if k := bytes.IndexByte(e, '"'); err == nil && k >= 0 {
				m.seq, m.epoch = seq, string(e[:k])
				return m, true
			}
		}
	}
	var v struct {
		Seq   int64  `json:"seq"`
		Epoch string `json:"epoch"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.Seq <= 0 {
		return m, false
	}
	m.seq, m.epoch = v.Seq, v.Epoch
	return m, true
}

// accepting reports whether new sockets are welcome (not while draining).
func (h *hub) accepting() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return !h.draining
}

// addSocket registers a new socket, unless the hub is draining.
func (h *hub) addSocket(sock *socket) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.draining {
		return false
	}
	h.wg.Add(1)
	h.sockets[sock] = struct{}{}
	h.metrics.open.Inc()
	return true
}

// removeSocket forgets a finished socket: its subscriptions (and a channel's Redis
// subscription with its last local watcher) and its presence.
func (h *hub) removeSocket(sock *socket) {
	sock.mu.Lock()
	subs := make([]*subscription, 0, len(sock.subs))
	for _, sub := range sock.subs {
		subs = append(subs, sub)
	}
	sock.subs = map[string]*subscription{}
	sock.mu.Unlock()
	for _, sub := range subs {
		h.unwatch(sub)
	}
	if sock.isDisplay() {
		h.pres.mu.Lock()
		delete(h.pres.dirty, sock)
		h.pres.gone = append(h.pres.gone, h.presenceField(sock))
		h.pres.mu.Unlock()
		h.pres.kickNow()
	}
	h.mu.Lock()
	delete(h.sockets, sock)
	h.mu.Unlock()
	h.metrics.open.Dec()
	h.wg.Done()
}

// authenticated is told when a socket has its token: a display appears in the presence list.
func (h *hub) authenticated(sock *socket) {
	h.markPresence(sock)
}

// watch registers sub so that live messages start queueing for it, and returns once Redis
// confirmed the channel's subscription: reading the channel's state after that misses nothing.
// A channel the node already watches takes only its own lock (a reconnect storm subscribes
// thousands of sockets to a few channels at once); the first watcher subscribes the node.
func (h *hub) watch(ctx context.Context, sub *subscription) error {
	if err := h.start(); err != nil {
		return err
	}
	h.mu.RLock()
	ch := h.channels[sub.notice]
	h.mu.RUnlock()
	if ch == nil || !ch.add(sub) {
		var err error
		if ch, err = h.watchSlow(ctx, sub); err != nil {
			return err
		}
	}
	select {
	case <-ch.ready:
		return nil
	case <-ctx.Done():
		h.unwatch(sub)
		return ctx.Err()
	}
}

// add registers sub unless the channel is being removed.
func (ch *hubChannel) add(sub *subscription) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.dead {
		return false
	}
	ch.subs[sub] = struct{}{}
	return true
}

// watchSlow registers sub under cmdMu, making the channel and subscribing to it if needed.
func (h *hub) watchSlow(ctx context.Context, sub *subscription) (*hubChannel, error) {
	h.cmdMu.Lock()
	defer h.cmdMu.Unlock()
	h.mu.Lock()
	ch := h.channels[sub.notice]
	created := ch == nil
	if created {
		ch = &hubChannel{name: sub.ch.name, notice: sub.notice, subs: map[*subscription]struct{}{}, ready: make(chan struct{})}
		h.channels[sub.notice] = ch
		h.awaited[sub.notice]++
		h.metrics.channels.Inc()
	}
	ch.add(sub) // under cmdMu nobody removes it
	h.mu.Unlock()
	if !created {
		return ch, nil
	}
	if err := h.ps.Subscribe(ctx, sub.notice); err != nil {
		// No confirmation will come for it; a stray one is taken for a reconnect.
		h.mu.Lock()
		if h.awaited[sub.notice]--; h.awaited[sub.notice] <= 0 {
			delete(h.awaited, sub.notice)
		}
		h.mu.Unlock()
		h.unwatchLocked(sub)
		return nil, err
	}
	return ch, nil
}

// unwatch removes sub; the last local watcher of a channel unsubscribes the node from it.
func (h *hub) unwatch(sub *subscription) {
	h.mu.RLock()
	ch := h.channels[sub.notice]
	h.mu.RUnlock()
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
	h.cmdMu.Lock()
	defer h.cmdMu.Unlock()
	h.unwatchLocked(sub)
}

// unwatchLocked (under cmdMu) removes sub and, if it was the last, the channel.
func (h *hub) unwatchLocked(sub *subscription) {
	h.mu.Lock()
	ch := h.channels[sub.notice]
	last := false
	if ch != nil {
		ch.mu.Lock()
		delete(ch.subs, sub)
		if len(ch.subs) == 0 {
			ch.dead = true
			delete(h.channels, sub.notice)
			h.metrics.channels.Dec()
			last = true
		}
		ch.mu.Unlock()
	}
	h.mu.Unlock()
	if last {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.ps.Unsubscribe(ctx, sub.notice); err != nil {
			h.srv.Logger.Warn("socket hub: unsubscribe", "channel", sub.ch.name, "err", err)
		}
	}
}

// revoke closes the sockets of a revoked token here and, through Redis, on every node.
func (h *hub) revoke(tokenID string) {
	h.closeToken(tokenID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.store.Client().Publish(ctx, h.revokedChannel, tokenID).Err(); err != nil {
		h.srv.Logger.Error("publish token revocation to the other nodes", "token_id", tokenID, "err", err)
	}
}

// revokedMemory is how long a revocation is remembered for sockets that were authenticating
// while it happened.
const revokedMemory = 2 * time.Minute

func (h *hub) closeToken(tokenID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	h.revoked[tokenID] = now
	for id, at := range h.revoked {
		if now.Sub(at) > revokedMemory {
			delete(h.revoked, id)
		}
	}
	for sock := range h.sockets {
		if sock.authed.Load() && sock.tokenID() == tokenID {
			sock.close(closeForbidden, "token revoked")
		}
	}
}

func (h *hub) revokedRecently(tokenID string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	at, ok := h.revoked[tokenID]
	return ok && time.Since(at) <= revokedMemory
}

// drain closes every socket with 1001 and waits for them (up to DrainTimeout), then stops the
// hub. New sockets are refused from the start.
func (h *hub) drain() {
	h.mu.Lock()
	h.draining = true
	socks := make([]*socket, 0, len(h.sockets))
	for sock := range h.sockets {
		socks = append(socks, sock)
	}
	h.mu.Unlock()
	for _, sock := range socks {
		sock.close(closeGoingAway, "the server is shutting down")
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(h.opt.DrainTimeout):
		h.srv.Logger.Warn("sockets still open after the drain timeout; cutting them", "sockets", len(socks))
		for _, sock := range socks {
			_ = sock.raw.Close()
		}
		select {
		case <-done:
		case <-time.After(time.Second):
		}
	}
	h.shutdown()
}

func (h *hub) shutdown() {
	h.startMu.Lock()
	defer h.startMu.Unlock()
	h.stopped = true
	if !h.started {
		return
	}
	h.stop()
	_ = h.ps.Close()
	<-h.loopDone
}

var errHubStopped = errors.New("the socket hub has stopped")

// presence is what GET /displays shows of one display socket, kept in Redis so that every
// node lists every node's displays.
type presence struct {
	TokenID     string    `json:"token_id"`
	Name        string    `json:"name"`
	ConnectedAt time.Time `json:"connected_at"`
	LastSeen    time.Time `json:"last_seen"`
	Channels    []string  `json:"channels"`
}

// presenceMaxAge: an entry not refreshed for this long belongs to a node that died.
const presenceMaxAge = 60 * time.Second

func (h *hub) presenceField(sock *socket) string { return h.node + ":" + sock.id }

func (h *hub) presenceOf(sock *socket) []byte {
	t := sock.token
	p := presence{TokenID: t.ID, Name: t.Name, ConnectedAt: sock.connectedAt, Channels: sock.channelNames(),
		LastSeen: time.Unix(0, sock.lastSeen.Load()).UTC()}
	return mustJSON(p)
}

// presenceWrites batches the presence changes of this node's displays: a reconnect storm of
// thousands of displays writes a few HSETs, not three round trips per socket on the way to its
// first frame.
type presenceWrites struct {
	mu    sync.Mutex
	dirty map[*socket]struct{} // to (re)write
	gone  []string             // fields to delete
	kick  chan struct{}
}

func (p *presenceWrites) kickNow() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// presenceBatch is how long a presence change waits for others to share its write.
const presenceBatch = 50 * time.Millisecond

// markPresence has a display's presence (re)written shortly.
func (h *hub) markPresence(sock *socket) {
	if !sock.isDisplay() {
		return
	}
	h.pres.mu.Lock()
	h.pres.dirty[sock] = struct{}{}
	h.pres.mu.Unlock()
	h.pres.kickNow()
}

// presenceLoop writes presence changes as they come (batched) and refreshes every display's
// presence every PresenceInterval; at the end it writes what is left.
func (h *hub) presenceLoop(ctx context.Context) {
	t := time.NewTicker(h.opt.PresenceInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			h.flushPresence(fctx, false)
			cancel()
			return
		case <-h.pres.kick:
			select {
			case <-ctx.Done():
			case <-time.After(presenceBatch):
			}
			h.flushPresence(ctx, false)
		case <-t.C:
			h.flushPresence(ctx, true)
		}
	}
}

// flushPresence writes the changed presences (with all, every display's) and deletes those of
// displays gone. One goroutine flushes, in order, so a display's delete never precedes its
// last write.
func (h *hub) flushPresence(ctx context.Context, all bool) {
	h.pres.mu.Lock()
	dirty, gone := h.pres.dirty, h.pres.gone
	h.pres.dirty, h.pres.gone = map[*socket]struct{}{}, nil
	h.pres.mu.Unlock()
	if all {
		h.mu.RLock()
		for sock := range h.sockets {
			if sock.isDisplay() {
				dirty[sock] = struct{}{}
			}
		}
		h.mu.RUnlock()
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if len(dirty) > 0 {
		fields := make([]any, 0, 2*len(dirty))
		for sock := range dirty {
			fields = append(fields, h.presenceField(sock), h.presenceOf(sock))
		}
		if err := h.store.Client().HSet(wctx, h.displaysKey, fields...).Err(); err != nil {
			h.srv.Logger.Warn("write display presence", "err", err)
		}
	}
	if len(gone) > 0 {
		if err := h.store.Client().HDel(wctx, h.displaysKey, gone...).Err(); err != nil {
			h.srv.Logger.Warn("remove display presence", "err", err)
		}
	}
}

// pingLoop has each socket pinged every PingInterval, from one goroutine for all of them
// rather than a timer per socket.
func (h *hub) pingLoop(ctx context.Context) {
	tick := min(max(h.opt.PingInterval/4, 5*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	var socks []*socket
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			h.mu.RLock()
			for sock := range h.sockets {
				socks = append(socks, sock)
			}
			h.mu.RUnlock()
			for i, sock := range socks {
				sock.pingIfDue(now)
				socks[i] = nil
			}
			socks = socks[:0]
		}
	}
}

// displays lists the wall displays connected to any node, dropping entries of dead nodes.
func (h *hub) displays(ctx context.Context) ([]DisplayView, error) {
	all, err := h.store.Client().HGetAll(ctx, h.displaysKey).Result()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	items := []DisplayView{}
	var stale []string
	for field, v := range all {
		var p presence
		if err := json.Unmarshal([]byte(v), &p); err != nil || now.Sub(p.LastSeen) > presenceMaxAge {
			stale = append(stale, field)
			continue
		}
		if p.Channels == nil {
			p.Channels = []string{}
		}
		items = append(items, DisplayView(p))
	}
	if len(stale) > 0 {
		if err := h.store.Client().HDel(ctx, h.displaysKey, stale...).Err(); err != nil {
			h.srv.Logger.Warn("remove stale display presence", "err", err)
		}
	}
	return items, nil
}
