package live

import (
	"context"
	"sort"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/live/wire"
)

// How a subscription never shows a gap: it is registered with the registry first (live messages
// start waiting in its buffer), then the channel's state is read from the log, then the client
// gets a snapshot (or `subscribed` and the missed messages from the history), and only then the
// buffered live messages whose seq is past what it already has. After that, each live message
// must be the next seq of the same epoch; anything else (a gap, a new epoch) sends the
// subscription back to the history to catch up, or to a fresh snapshot.

// subscribeTimeout bounds one subscribe: the subscription to the log, the state and the snapshot.
const subscribeTimeout = 15 * time.Second

func (sock *socket) subscribe(m wire.Request) error {
	ch := m.Ch
	if err := wire.MayWatch(*sock.token, ch); err != nil {
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
	old, count := sock.subs[ch.Name], len(sock.subs)
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
	if ch.Kind == wire.KindContest {
		var err error
		if k, err = sock.l.deps.Snapshots.Contest(ctx, ch.ID); err != nil {
			return err
		}
	}
	if ch.Kind == wire.KindTargets && sock.token.Role == bullpen.RoleRep {
		team, err := sock.l.deps.Snapshots.RepTeam(ctx, sock.token.RepID)
		if err != nil {
			return err
		}
		if team != ch.ID {
			return bullpen.Errorf(bullpen.EPermission, "a rep token may watch its own team's targets only")
		}
	}
	if err := sock.l.start(); err != nil {
		return err
	}
	sub := &subscription{sock: sock, ch: ch, pending: true}
	sock.mu.Lock()
	if sock.closing {
		sock.mu.Unlock()
		return nil
	}
	sock.subs[ch.Name] = sub
	sock.mu.Unlock()
	if err := sock.l.channels.watch(ctx, sub); err != nil {
		sock.forget(sub)
		return err
	}
	if err := sock.catchUp(ctx, sub, m.Since, epoch, k, false); err != nil {
		sock.dropSub(sub)
		return err
	}
	sock.l.presence.mark(sock)
	return nil
}

func (sock *socket) unsubscribe(ch wire.Channel) {
	sock.mu.Lock()
	sub := sock.subs[ch.Name]
	sock.mu.Unlock()
	if sub == nil {
		return
	}
	sock.dropSub(sub)
	sock.l.presence.mark(sock)
}

// forget takes sub off the socket; its messages stop at once.
func (sock *socket) forget(sub *subscription) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if sock.subs[sub.ch.Name] == sub {
		delete(sock.subs, sub.ch.Name)
	}
	sub.removed, sub.buf = true, nil
}

func (sock *socket) dropSub(sub *subscription) {
	sock.forget(sub)
	sock.l.channels.unwatch(sub)
}

// catchUp brings a subscription to the channel's current seq: from the history when it holds
// every message after since in the client's epoch, else with a snapshot. Then it releases the
// live messages that waited. A resync (the fan-out saw a gap) sends no `subscribed`: the client
// just gets the messages it lacked, in order.
func (sock *socket) catchUp(ctx context.Context, sub *subscription, since *int64, epoch string, k *contest.Contest, resync bool) error {
	from, keep := int64(-1), 0
	if since != nil {
		from = *since
	}
	if sub.ch.Kind == wire.KindFloor {
		keep = floorItems // a floor snapshot is its latest items
	}
	st, hist, err := sock.l.tail(ctx, sub.ch.Name, from, keep)
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
		out = append(out, mustJSON(subscribedMessage{Type: "subscribed", Channel: sub.ch.Name, Seq: *since, Epoch: st.Epoch}))
		out = append(out, missed...)
	default:
		frame, err := sock.l.snapshotFrame(ctx, sub.ch, st, k, since != nil)
		if err != nil {
			return err
		}
		out = append(out, frame)
	}
	sock.mu.Lock()
	if sub.removed || sock.closing {
		sock.mu.Unlock()
		return nil
	}
	sock.queue = append(sock.queue, out...)
	sock.queued += len(out)
	if len(sock.queue) > sock.maxQueued() {
		sock.closeLocked(closeSlow, "too slow to keep up", true)
		sock.mu.Unlock()
		return nil
	}
	sub.epoch, sub.seq, sub.pending = st.Epoch, st.Seq, false
	waiting := sub.buf
	sub.buf = nil
	if sub.overflowed {
		// Messages after st.Seq were dropped while this catch-up ran: catch up again from
		// st.Seq (from the history, or a fresh snapshot if it no longer reaches back).
		sub.overflowed, waiting = false, nil
		sock.startCatchUpLocked(sub)
	}
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
func resumeFrom(st bullpen.ChannelState, hist []channelMessage, since int64, epoch string) ([][]byte, bool) {
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

// deliver hands a channel's messages of a burst to one subscription. Called by the fan-out: it
// never blocks. It writes nothing: it reports (once per burst) that the socket joins the
// fan-out's current burst, whose sockets go to the flushers when it ends, so that the messages
// of one burst leave in one frame. A socket being written already is left to its writer, which
// takes the queue next. A subscription at the seq before the group's run takes the run as one
// queue entry, shared with every socket that does; any other takes the messages one by one.
func (sock *socket) deliver(sub *subscription, g *burstGroup) (joined bool) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if sock.closing || sub.removed {
		return false
	}
	queued := false
	if g.run != nil && !sub.pending && sub.epoch == g.epoch && sub.seq == g.first-1 {
		if queued = sock.pushLiveLocked(g.run, len(g.msgs)); queued {
			sub.seq = g.last
		}
	} else {
		for _, m := range g.msgs {
			if sock.closing {
				return false
			}
			if sub.pending {
				sub.wait(m, sock.opt.QueueSize)
				continue
			}
			if sock.acceptLocked(sub, m) {
				queued = true
			}
		}
	}
	if !queued || sock.closing || sock.writing || sock.held {
		return false
	}
	sock.held = true
	return true
}

// wait keeps a live message that came while the subscription catches up. The server is the slow
// one here (its snapshot or history read is under way), not the client: past the queue's size,
// what came is dropped and read again from the history once the catch-up ends. A client that
// does not read is judged by its own queue.
func (sub *subscription) wait(m channelMessage, size int) {
	if len(sub.buf) >= size {
		sub.buf, sub.overflowed = sub.buf[:0], true
	} else if !sub.overflowed {
		sub.buf = append(sub.buf, m)
	}
}

// acceptLocked queues m if it is the next message of the subscription, drops it if the client
// has it already, and otherwise (a gap, a new epoch) starts a catch-up that m waits for.
func (sock *socket) acceptLocked(sub *subscription, m channelMessage) bool {
	switch {
	case sub.epoch == "" && m.seq == 1, sub.epoch == m.epoch && m.seq == sub.seq+1:
	case sub.epoch == m.epoch && m.seq <= sub.seq:
		return false
	default:
		sub.buf = append(sub.buf, m)
		sock.startCatchUpLocked(sub)
		return false
	}
	if !sock.pushLiveLocked(m.raw, 1) {
		return false
	}
	sub.epoch, sub.seq = m.epoch, m.seq
	return true
}

// resync checks a subscription against the history (the node's subscription to the log came
// back and may have lost messages).
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
				sock.l.logger.Error("socket: catch up with a channel", "channel", sub.ch.Name, "err", err)
				// The client reconnects with since and is served from the history.
				sock.close(closeInternal, "lost the channel's stream")
			}
		}
	}()
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
