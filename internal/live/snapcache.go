package live

import (
	"sync"
	"time"

	"bullpen/internal/live/wire"
)

// The latest snapshot frame of each shared channel (a contest's board, a team's targets, a
// screen) is kept for sockets that subscribe afresh at the same epoch and seq: it is the same
// bytes for all of them. In a morning rush about a hundred sockets a second subscribe to each
// busy contest while its seq moves four times a second, so the board was read from Redis,
// encoded and framed again for most of them (a singleflight shares only reads under way at
// once). A frame is as good as the flight's: read after some subscriber's state at that seq,
// it holds at least everything up to the seq, and later messages follow it. snapshotMaxAge
// bounds what a change that moves no seq (a contest renamed) leaves unseen, as the boards'
// response cache does. A rep's own channel is one socket's, and the floor's snapshot is read
// from the history already: neither is kept.
const snapshotMaxAge = time.Second

// snapshotCacheSize bounds the channels kept; past it, those older than snapshotMaxAge go.
const snapshotCacheSize = 1024

type snapshotCache struct {
	mu     sync.Mutex
	frames map[string]cachedFrame // by channel name
}

type cachedFrame struct {
	epoch string
	seq   int64
	at    time.Time // when the read that made it began
	frame []byte
}

// sharedSnapshot says whether a channel's snapshot is the same for every socket.
func sharedSnapshot(k wire.Kind) bool {
	return k == wire.KindContest || k == wire.KindTargets || k == wire.KindScreen
}

// get is the channel's frame at epoch and seq, when one younger than snapshotMaxAge is kept.
func (c *snapshotCache) get(channel, epoch string, seq int64, now time.Time) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.frames[channel]
	if !ok || f.epoch != epoch || f.seq != seq || now.Sub(f.at) >= snapshotMaxAge {
		return nil, false
	}
	return f.frame, true
}

// put keeps a frame read from at; a newer one kept meanwhile (a later seq) stays.
func (c *snapshotCache) put(channel, epoch string, seq int64, at time.Time, frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.frames[channel]; ok && f.epoch == epoch && f.seq > seq {
		return
	}
	if c.frames == nil {
		c.frames = map[string]cachedFrame{}
	}
	if len(c.frames) >= snapshotCacheSize {
		for name, f := range c.frames {
			if at.Sub(f.at) >= snapshotMaxAge {
				delete(c.frames, name)
			}
		}
	}
	if len(c.frames) < snapshotCacheSize {
		c.frames[channel] = cachedFrame{epoch: epoch, seq: seq, at: at, frame: frame}
	}
}
