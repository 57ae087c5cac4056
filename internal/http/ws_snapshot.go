package http

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/redis"
)

// How a subscription never shows a gap: it is registered with the hub first (live messages
// start waiting in its buffer), then the channel's state is read from Redis, then the client
// gets a snapshot (or `subscribed` and the missed messages from the history), and only then the
// buffered live messages whose seq is past what it already has. After that, each live message
// must be the next seq of the same epoch; anything else (a gap, a new epoch) sends the
// subscription back to the history to catch up, or to a fresh snapshot.

// subscribeTimeout bounds one subscribe: the Redis subscription, the state and the snapshot.
const subscribeTimeout = 15 * time.Second

func (sock *socket) subscribe(m clientMessage) error {
	ch, err := parseChannel(m.Channel)
	if err != nil {
		return err
	}
	if err := mayWatch(*sock.token, ch); err != nil {
		return err
	}
	if m.Since != nil && *m.Since < 0 {
		return bullpen.Invalid("since", "since must be 0 or more")
	}
	epoch := ""
	if m.Epoch != nil {
		epoch = *m.Epoch
	}
	sock.mu.Lock()
	old, count := sock.subs[ch.name], len(sock.subs)
	sock.mu.Unlock()
	if old != nil {
		// Subscribing again starts over, with what the client says it has.
		sock.dropSub(old)
	} else if count >= maxChannels {
		return bullpen.Errorf(bullpen.EInvalid, "a socket may watch at most %d channels", maxChannels)
	}
	ctx, cancel := sock.opContext(subscribeTimeout)
	defer cancel()
	var k *contest.Contest
	if ch.kind == kindContest {
		if k, err = sock.srv.sharedContest(ctx, ch.id); err != nil {
			return err
		}
	}
	sub := &subscription{sock: sock, ch: ch, notice: sock.srv.Store.NoticeChannel(ch.name), pending: true}
	sock.mu.Lock()
	if sock.closing {
		sock.mu.Unlock()
		return nil
	}
	sock.subs[ch.name] = sub
	sock.mu.Unlock()
	if err := sock.hub.watch(ctx, sub); err != nil {
		sock.forget(sub)
		return err
	}
	if err := sock.catchUp(ctx, sub, m.Since, epoch, k, false); err != nil {
		sock.dropSub(sub)
		return err
	}
	sock.hub.markPresence(sock)
	return nil
}

func (sock *socket) unsubscribe(name string) {
	sock.mu.Lock()
	sub := sock.subs[name]
	sock.mu.Unlock()
	if sub == nil {
		if _, err := parseChannel(name); err != nil {
			sock.sendErr(err, name)
		}
		return
	}
	sock.dropSub(sub)
	sock.hub.markPresence(sock)
}

// forget takes sub off the socket; its messages stop at once.
func (sock *socket) forget(sub *subscription) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if sock.subs[sub.ch.name] == sub {
		delete(sock.subs, sub.ch.name)
	}
	sub.removed, sub.buf = true, nil
}

func (sock *socket) dropSub(sub *subscription) {
	sock.forget(sub)
	sock.hub.unwatch(sub)
}

// catchUp brings a subscription to the channel's current seq: from the history when it holds
// every message after since in the client's epoch, else with a snapshot. Then it releases the
// live messages that waited. A resync (the hub saw a gap) sends no `subscribed`: the client
// just gets the messages it lacked, in order.
func (sock *socket) catchUp(ctx context.Context, sub *subscription, since *int64, epoch string, k *contest.Contest, resync bool) error {
	from, keep := int64(-1), 0
	if since != nil {
		from = *since
	}
	if sub.ch.kind == kindFloor {
		keep = floorItems // a floor snapshot is its latest items
	}
	st, hist, err := sock.hub.tail(ctx, sub.ch.name, from, keep)
	if err != nil {
		return err
	}
	var out [][]byte
	var missed [][]byte
	resumed := false
	if since != nil {
		missed, resumed = resumeFrom(st, hist, *since, epoch)
	}
	switch {
	case resumed && resync:
		out = missed
	case resumed:
		out = append(out, mustJSON(subscribedMessage{Type: "subscribed", Channel: sub.ch.name, Seq: *since, Epoch: st.Epoch}))
		out = append(out, missed...)
	default:
		data, err := sock.srv.snapshotData(ctx, sub.ch, st, k)
		if err != nil {
			return err
		}
		snap := snapshotMessage{Type: "snapshot", Channel: sub.ch.name, Seq: st.Seq, Epoch: st.Epoch, Data: data}
		if since != nil {
			f := false
			snap.Recovered = &f
		}
		out = append(out, mustJSON(snap))
	}
	sock.mu.Lock()
	if sub.removed || sock.closing {
		sock.mu.Unlock()
		return nil
	}
	sock.queue = append(sock.queue, out...)
	if len(sock.queue) > sock.maxQueued() {
		sock.closeLocked(closeSlow, "too slow to keep up", true)
		sock.mu.Unlock()
		return nil
	}
	sub.epoch, sub.seq, sub.pending = st.Epoch, st.Seq, false
	waiting := sub.buf
	sub.buf = nil
	for i, m := range waiting {
		if sub.pending || sock.closing {
			// A new catch-up started; it takes the rest.
			sub.buf = append(sub.buf, waiting[i:]...)
			break
		}
		sock.acceptLocked(sub, m)
	}
	if len(sock.queue) > 0 {
		sock.startWriterLocked()
	}
	sock.mu.Unlock()
	return nil
}

// resumeFrom returns the messages after since when the history still holds all of them in the
// client's epoch. A client without an epoch has seen nothing of the channel: it resumes only
// from 0, and only if the history goes back to the first message.
func resumeFrom(st redis.ChannelState, hist []hubMessage, since int64, epoch string) ([][]byte, bool) {
	if epoch == "" && since != 0 || epoch != "" && epoch != st.Epoch || since > st.Seq {
		return nil, false
	}
	want := st.Seq - since
	if want > int64(len(hist)) {
		return nil, false
	}
	out := make([][]byte, 0, want)
	next := since + 1
	for _, m := range hist[int64(len(hist))-want:] {
		if m.seq != next || m.epoch != st.Epoch {
			return nil, false
		}
		out = append(out, m.raw)
		next++
	}
	return out, true
}

// deliver hands a live message to one subscription. Called by the hub: it never blocks. It
// writes nothing: it reports (once per burst) that the socket joins the hub's current burst,
// whose sockets go to the flushers when it ends, so that the messages of one burst leave in one
// frame. A socket being written already is left to its writer, which takes the queue next.
func (sock *socket) deliver(sub *subscription, m hubMessage) (joined bool) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if sock.closing || sub.removed {
		return false
	}
	if sub.pending {
		if len(sub.buf) >= sock.opt.QueueSize {
			sock.closeLocked(closeSlow, "too slow to keep up", true)
		} else {
			sub.buf = append(sub.buf, m)
		}
		return false
	}
	if !sock.acceptLocked(sub, m) || sock.writing || sock.held {
		return false
	}
	sock.held = true
	return true
}

// acceptLocked queues m if it is the next message of the subscription, drops it if the client
// has it already, and otherwise (a gap, a new epoch) starts a catch-up that m waits for.
func (sock *socket) acceptLocked(sub *subscription, m hubMessage) bool {
	switch {
	case sub.epoch == "" && m.seq == 1, sub.epoch == m.epoch && m.seq == sub.seq+1:
	case sub.epoch == m.epoch && m.seq <= sub.seq:
		return false
	default:
		sub.buf = append(sub.buf, m)
		sock.startCatchUpLocked(sub)
		return false
	}
	if !sock.pushLiveLocked(m.raw) {
		return false
	}
	sub.epoch, sub.seq = m.epoch, m.seq
	return true
}

// resync checks a subscription against the history (the hub's Redis connection came back and
// may have lost messages).
func (sock *socket) resync(sub *subscription) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if !sub.removed && !sock.closing {
		sock.startCatchUpLocked(sub)
	}
}

func (sock *socket) startCatchUpLocked(sub *subscription) {
	if sub.pending {
		return
	}
	sub.pending = true
	since, epoch := sub.seq, sub.epoch
	go func() {
		ctx, cancel := sock.opContext(subscribeTimeout)
		defer cancel()
		if err := sock.catchUp(ctx, sub, &since, epoch, nil, true); err != nil {
			if sock.ctx.Err() == nil {
				sock.srv.Logger.Error("socket: catch up with a channel", "channel", sub.ch.name, "err", err)
				// The client reconnects with since and is served from the history.
				sock.close(closeInternal, "lost the channel's stream")
			}
		}
	}()
}

// tailReads shares the reads of a channel's state among the subscriptions that ask at the same
// moment (a reconnect storm asks thousands of times, each with the seq it had). Per channel, one
// read is in flight at a time; those who ask meanwhile wait together for the next, sent when it
// returns, which fetches the history after the smallest since among them, and each takes its
// part. A subscription only takes a read sent to Redis after it asked, which is after it
// registered with the hub, so that the state includes every message it did not get live.
type tailReads struct {
	mu   sync.Mutex
	keys map[string]*tailKey // by channel and min
}

type tailKey struct {
	inFlight bool
	next     *tailRead // gathering those who wait for the next read
}

type tailRead struct {
	from int64 // the smallest since of those waiting (noSince: none has one)
	done chan struct{}
	st   redis.ChannelState
	msgs []hubMessage // st.History parsed once for all of them
	err  error
}

const noSince = int64(math.MaxInt64)

func (h *hub) tail(ctx context.Context, channel string, since int64, min int) (redis.ChannelState, []hubMessage, error) {
	key := channel + "|" + strconv.Itoa(min)
	t := &h.tails
	t.mu.Lock()
	k := t.keys[key]
	if k == nil {
		k = &tailKey{}
		t.keys[key] = k
	}
	if k.next == nil {
		k.next = &tailRead{from: noSince, done: make(chan struct{})}
	}
	r := k.next
	if since >= 0 && since < r.from {
		r.from = since
	}
	if !k.inFlight {
		h.sendTailLocked(key, k, channel, min)
	}
	t.mu.Unlock()
	select {
	case <-r.done:
		return r.st, r.msgs, r.err
	case <-ctx.Done():
		return redis.ChannelState{}, nil, ctx.Err()
	}
}

// sendTailLocked sends the key's next read; when it returns, the one gathered meanwhile goes.
func (h *hub) sendTailLocked(key string, k *tailKey, channel string, min int) {
	r := k.next
	k.next, k.inFlight = nil, true
	from := r.from
	if from == noSince {
		from = -1
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
		r.st, r.err = h.store.ChannelTail(ctx, channel, from, min)
		cancel()
		r.msgs = make([]hubMessage, len(r.st.History))
		for i, raw := range r.st.History {
			r.msgs[i], _ = parseHubMessage(raw) // a malformed one has seq 0: never resumed from
		}
		close(r.done)
		t := &h.tails
		t.mu.Lock()
		defer t.mu.Unlock()
		k.inFlight = false
		if k.next != nil {
			h.sendTailLocked(key, k, channel, min)
		} else {
			delete(t.keys, key)
		}
	}()
}

type subscribedMessage struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	Seq     int64  `json:"seq"`
	Epoch   string `json:"epoch"`
}

type snapshotMessage struct {
	Type      string          `json:"type"`
	Channel   string          `json:"channel"`
	Seq       int64           `json:"seq"`
	Epoch     string          `json:"epoch"`
	Data      json.RawMessage `json:"data"`
	Recovered *bool           `json:"recovered,omitempty"`
}

// RepSnapshot is a rep channel's snapshot: the rep's standings in every open contest and its
// points balance, as GET /reps/{id} shows them.
type RepSnapshot struct {
	RepID         string        `json:"rep_id"`
	PointsBalance int64         `json:"points_balance"`
	Standings     []RepStanding `json:"standings"`
}

type floorSnapshot struct {
	Items []json.RawMessage `json:"items"`
}

// snapshotData is what a channel holds now, at least as new as st (it is read after st). The
// floor's comes from the history itself. A contest's and a rep's are built once for all the
// sockets that ask at the same seq.
func (s *Server) snapshotData(ctx context.Context, ch channelRef, st redis.ChannelState, k *contest.Contest) (json.RawMessage, error) {
	key := "snapshot|" + ch.name + "|" + st.Epoch + "|" + strconv.FormatInt(st.Seq, 10)
	return shared(ctx, &s.hub.flight, key, func(ctx context.Context) (json.RawMessage, error) {
		if ch.kind == kindFloor {
			hist := st.History
			if len(hist) > floorItems {
				hist = hist[len(hist)-floorItems:]
			}
			snap := floorSnapshot{Items: make([]json.RawMessage, len(hist))}
			for i, m := range hist {
				snap.Items[i] = json.RawMessage(m)
			}
			return mustJSON(snap), nil
		}
		if ch.kind == kindContest {
			return s.contestSnapshot(ctx, ch.id, k)
		}
		return s.repSnapshot(ctx, ch.id)
	})
}

func (s *Server) contestSnapshot(ctx context.Context, id string, k *contest.Contest) (json.RawMessage, error) {
	if k == nil {
		var err error
		if k, err = s.sharedContest(ctx, id); err != nil {
			return nil, err
		}
	}
	p, err := s.periodOf(k, "")
	if err != nil {
		return nil, err
	}
	rows, total, err := s.Store.Range(ctx, k.ID, p.Key, 0, snapshotRows)
	if err != nil {
		return nil, err
	}
	st, err := s.standings(ctx, k, p, rows, total)
	if err != nil {
		return nil, err
	}
	return json.Marshal(st)
}

func (s *Server) repSnapshot(ctx context.Context, repID string) (json.RawMessage, error) {
	rep, err := s.DB.Rep(ctx, repID)
	if bullpen.ErrorCode(err) == bullpen.ENotFound {
		// A rep with no event yet: nothing to show, but nothing wrong either.
		rep, err = bullpen.Rep{RepID: repID}, nil
	}
	if err != nil {
		return nil, err
	}
	balance, err := s.pointsBalance(ctx, repID)
	if err != nil {
		return nil, err
	}
	standings, err := s.repStandings(ctx, rep)
	if err != nil {
		return nil, err
	}
	return json.Marshal(RepSnapshot{RepID: repID, PointsBalance: balance, Standings: standings})
}

// sharedContest reads a contest once for all the sockets asking for it at the same moment.
func (s *Server) sharedContest(ctx context.Context, id string) (*contest.Contest, error) {
	if k, ok := s.contests.get(id, s.Now()); ok {
		return k, nil
	}
	return shared(ctx, &s.hub.flight, "contest|"+id, func(ctx context.Context) (*contest.Contest, error) {
		k, err := s.DB.Contest(ctx, id)
		if err == nil {
			s.contests.put(id, k, s.Now())
		}
		return k, err
	})
}

// shared runs fn once for every caller with the same key at the same time. fn runs on a
// context of its own, so one caller going away does not fail the others.
func shared[T any](ctx context.Context, g *singleflight.Group, key string, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	ch := g.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), subscribeTimeout)
		defer cancel()
		return fn(fctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		v, ok := r.Val.(T)
		if !ok {
			return zero, errors.New("shared: unexpected result type")
		}
		return v, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// channelNames lists the socket's channels, sorted.
func (sock *socket) channelNames() []string {
	sock.mu.Lock()
	names := make([]string, 0, len(sock.subs))
	for name := range sock.subs {
		names = append(names, name)
	}
	sock.mu.Unlock()
	sort.Strings(names)
	return names
}

// isDisplay and tokenID may be called from any goroutine: token is set before authed.
func (sock *socket) isDisplay() bool {
	return sock.authed.Load() && sock.token.Role == bullpen.RoleDisplay
}

func (sock *socket) tokenID() string {
	if !sock.authed.Load() {
		return ""
	}
	return sock.token.ID
}
