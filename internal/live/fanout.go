package live

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"

	"bullpen/internal/bullpen"
)

// fanOut is the node's one reader of the channel log's announcements: each message is received
// once and handed, as the same bytes, to every local socket watching its channel. It never
// waits on a socket. Revocations and subscription confirmations that share the connection go
// to their owners.
type fanOut struct {
	channels *registry
	logger   *slog.Logger
	ctx      context.Context
	flushCh  chan []*socket // bursts' sockets, in chunks, for the flushers
	done     chan struct{}  // closed when the reader has stopped

	// Owned by the reading goroutine: the current burst's messages by channel, not yet handed
	// to the sockets; the sockets of the burst, whose writers start when it ends; and a scratch
	// copy of one channel's subscribers.
	groups  []burstGroup
	burst   []*socket
	notices int // in the current burst
	subsBuf []*subscription
}

// burstGroup is one channel's messages in a burst, in the order the log announced them.
type burstGroup struct {
	ch   *watchedChannel
	msgs []channelMessage
	// run is the messages joined one per line, as a frame carries them, when their seqs follow
	// one another in one epoch (as the log publishes them): one copy shared by every socket
	// that is at the seq before the first, which takes the run as one queue entry.
	run         []byte
	first, last int64
	epoch       string
}

// channelMessage is a channel message as the log announced it, with its seq and epoch read once.
type channelMessage struct {
	seq   int64
	epoch string
	raw   []byte
}

func newFanOut(channels *registry, logger *slog.Logger) *fanOut {
	return &fanOut{channels: channels, logger: logger}
}

// start runs the reader on sub and flushers writers, until ctx ends and sub is closed.
func (fo *fanOut) start(ctx context.Context, sub Subscription, revoked *revocations, flushers int) {
	fo.ctx, fo.done = ctx, make(chan struct{})
	fo.flushCh = make(chan []*socket, 1024)
	for range flushers {
		go fo.flushLoop(ctx)
	}
	go fo.receive(sub, revoked)
}

// wait returns once the reader has stopped (its subscription closed).
func (fo *fanOut) wait() { <-fo.done }

// maxBurst bounds how many notices one burst takes before its sockets' writers start, so a
// steady stream of notices cannot hold messages back.
const maxBurst = 64

// receive reads the announcements. Notices that arrive together (a consumer's batch is
// published in one go) make a burst: each socket's messages of the burst are queued first, and
// its writer starts when the burst ends, so they leave in one frame and one system call
// instead of one each. A burst ends when no notice is waiting, so it adds no wait of its own.
func (fo *fanOut) receive(sub Subscription, revoked *revocations) {
	defer close(fo.done)
	for {
		a, ok := sub.Next()
		if !ok {
			break
		}
		switch a.Kind {
		case bullpen.AnnouncedSubscribed:
			fo.handOut() // the messages before the confirmation go first, as they came
			fo.channels.confirmed(a.Channel)
		case bullpen.AnnouncedRevocation:
			fo.handOut()
			revoked.received(a.Payload)
			continue
		case bullpen.AnnouncedRotation:
			fo.handOut()
			revoked.receivedRotation(a.Payload)
			continue
		case bullpen.AnnouncedMessage:
			fo.add(a.Channel, a.Payload)
			fo.notices++
		}
		if !sub.Waiting() || fo.notices >= maxBurst {
			fo.endBurst()
		}
	}
	fo.endBurst()
}

// endBurst hands the burst's messages to their sockets, and those sockets to the flushers.
func (fo *fanOut) endBurst() {
	fo.handOut()
	for i := 0; i < len(fo.burst); i += flushChunk {
		chunk := append([]*socket(nil), fo.burst[i:min(i+flushChunk, len(fo.burst))]...)
		select {
		case fo.flushCh <- chunk:
		case <-fo.ctx.Done():
			// Shutting down: the sockets are closing, each with a writer of its own.
		}
	}
	clear(fo.burst)
	fo.burst, fo.notices = fo.burst[:0], 0
}

// add keeps one message of the burst with its channel's others; handOut gives them to the
// sockets. A channel no local socket watches is skipped.
func (fo *fanOut) add(channel, payload string) {
	ch := fo.channels.lookup(channel)
	if ch == nil {
		return
	}
	m, ok := parseMessage(payload)
	if !ok {
		fo.logger.Error("live: malformed channel message", "channel", ch.name, "message", payload)
		return
	}
	for i := range fo.groups {
		if fo.groups[i].ch == ch {
			fo.groups[i].msgs = append(fo.groups[i].msgs, m)
			return
		}
	}
	if len(fo.groups) < cap(fo.groups) {
		// Reuse a group's slice of messages from an earlier burst.
		fo.groups = fo.groups[:len(fo.groups)+1]
		g := &fo.groups[len(fo.groups)-1]
		g.ch, g.msgs = ch, append(g.msgs[:0], m)
		return
	}
	fo.groups = append(fo.groups, burstGroup{ch: ch, msgs: []channelMessage{m}})
}

// handOut hands each channel's messages of the burst to every local socket watching it: a
// socket takes all of a channel's messages under one lock, and, when it is where the run
// starts, as one queue entry shared with every other socket. Each channel's messages keep
// their order; those of different channels are independent streams (each has its own seq).
// The channel's lock is held only to copy the list of watchers: a subscription added after the
// copy reads the channel's state after these messages were stored, so it misses nothing, and
// what it gets twice its seq drops.
func (fo *fanOut) handOut() {
	for i := range fo.groups {
		g := &fo.groups[i]
		g.joinRun()
		subs := fo.subsBuf[:0]
		g.ch.mu.RLock()
		for sub := range g.ch.subs {
			subs = append(subs, sub)
		}
		g.ch.mu.RUnlock()
		for j, sub := range subs {
			if sub.sock.deliver(sub, g) {
				fo.burst = append(fo.burst, sub.sock)
			}
			subs[j] = nil
		}
		fo.subsBuf = subs[:0]
		clear(g.msgs)
		g.ch, g.msgs, g.run, g.epoch = nil, g.msgs[:0], nil, ""
	}
	fo.groups = fo.groups[:0]
}

// joinRun sets the group's run when its messages follow one another in one epoch. One message
// is its own run, with no copy.
func (g *burstGroup) joinRun() {
	first := g.msgs[0]
	size := len(first.raw)
	for k := 1; k < len(g.msgs); k++ {
		if m := g.msgs[k]; m.epoch != first.epoch || m.seq != first.seq+int64(k) {
			return
		}
		size += 1 + len(g.msgs[k].raw)
	}
	g.first, g.last, g.epoch = first.seq, first.seq+int64(len(g.msgs)-1), first.epoch
	if len(g.msgs) == 1 {
		g.run = first.raw
		return
	}
	run := make([]byte, 0, size)
	for k, m := range g.msgs {
		if k > 0 {
			run = append(run, '\n')
		}
		run = append(run, m.raw...)
	}
	g.run = run
}

// parseMessage reads seq and epoch of a message; the bytes themselves go out as they came.
func parseMessage(payload string) (channelMessage, bool) {
	raw := []byte(payload)
	m := channelMessage{raw: raw}
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
