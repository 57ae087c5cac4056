package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"unsafe"

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

	plainWrites bool      // Options.PlainWrites: no io_uring
	ringRefused sync.Once // io_uring's refusal is logged once

	// Owned by the reading goroutine: the current burst's messages by channel, not yet handed
	// to the sockets; the sockets of the burst, whose writers start when it ends; and a scratch
	// copy of one channel's subscribers.
	groups  []burstGroup
	burst   []*socket
	notices int // in the current burst
	subsBuf []*subscription
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
		case bullpen.AnnouncedRotation:
			fo.handOut()
			revoked.receivedRotation(a.Payload)
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

// parseMessage reads seq and epoch of a message; the bytes themselves go out as they came.
// They are the payload's own, not a copy: every notice passes here (a copy each was 8 % of
// what the server allocated in the morning rush), and nothing writes to a message's bytes
// once it is read (frames copy them or write them as they are), so the string stays immutable.
func parseMessage(payload string) (channelMessage, bool) {
	m := channelMessage{raw: unsafe.Slice(unsafe.StringData(payload), len(payload))}
	// The publishing script writes `"seq":N,"epoch":"E"` before the data; read them without
	// decoding the data, and decode fully only if the layout is something else.
	if i := strings.Index(payload, `,"seq":`); i >= 0 {
		rest := payload[i+len(`,"seq":`):]
		if j := strings.Index(rest, `,"epoch":"`); j > 0 {
			seq, err := strconv.ParseInt(rest[:j], 10, 64)
			e := rest[j+len(`,"epoch":"`):]
			if k := strings.IndexByte(e, '"'); err == nil && k >= 0 {
				// The epoch is copied: a subscription keeps it, and a slice of the payload
				// would keep the whole message with it.
				m.seq, m.epoch = seq, strings.Clone(e[:k])
				return m, true
			}
		}
	}
	var v struct {
		Seq   int64  `json:"seq"`
		Epoch string `json:"epoch"`
	}
	if err := json.Unmarshal(m.raw, &v); err != nil || v.Seq <= 0 {
		return m, false
	}
	m.seq, m.epoch = v.Seq, v.Epoch
	return m, true
}
