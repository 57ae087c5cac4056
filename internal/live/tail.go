package live

import (
	"context"
	"math"
	"strconv"
	"sync"

	"bullpen/internal/bullpen"
)

// tailReads shares the reads of a channel's state among the subscriptions that ask at the same
// moment (a reconnect storm asks thousands of times, each with the seq it had). Per channel, one
// read is in flight at a time; those who ask meanwhile wait together for the next, sent when it
// returns, which fetches the history after the smallest since among them, and each takes its
// part. A subscription only takes a read sent to the log after it asked, which is after it
// registered with the registry, so that the state includes every message it did not get live.
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
	st   bullpen.ChannelState
	msgs []channelMessage // st.History parsed once for all of them
	err  error
}

const noSince = int64(math.MaxInt64)

func (l *Live) tail(ctx context.Context, channel string, since int64, min int) (bullpen.ChannelState, []channelMessage, error) {
	key := channel + "|" + strconv.Itoa(min)
	t := &l.tails
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
		l.sendTailLocked(key, k, channel, min)
	}
	t.mu.Unlock()
	select {
	case <-r.done:
		return r.st, r.msgs, r.err
	case <-ctx.Done():
		return bullpen.ChannelState{}, nil, ctx.Err()
	}
}

// sendTailLocked sends the key's next read; when it returns, the one gathered meanwhile goes.
func (l *Live) sendTailLocked(key string, k *tailKey, channel string, min int) {
	r := k.next
	k.next, k.inFlight = nil, true
	from := r.from
	if from == noSince {
		from = -1
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
		r.st, r.err = l.deps.Log.ChannelTail(ctx, channel, from, min)
		cancel()
		r.msgs = make([]channelMessage, len(r.st.History))
		for i, raw := range r.st.History {
			r.msgs[i], _ = parseMessage(raw) // a malformed one has seq 0: never resumed from
		}
		close(r.done)
		t := &l.tails
		t.mu.Lock()
		defer t.mu.Unlock()
		k.inFlight = false
		if k.next != nil {
			l.sendTailLocked(key, k, channel, min)
		} else {
			delete(t.keys, key)
		}
	}()
}
