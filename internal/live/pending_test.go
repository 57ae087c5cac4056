package live_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"bullpen/internal/contest"
	"bullpen/internal/live"
)

// slowSnapshots, once armed, holds the next contest snapshot until released: the server, not
// the client, is slow while messages keep coming.
type slowSnapshots struct {
	live.Snapshots
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (s *slowSnapshots) ContestSnapshot(ctx context.Context, k *contest.Contest, rows int) (json.RawMessage, error) {
	if s.armed.CompareAndSwap(true, false) {
		close(s.entered)
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.Snapshots.ContestSnapshot(ctx, k, rows)
}

// TestSocketSnapshotSlowerThanTheQueueLosesNothing: while a subscription's snapshot is being
// read, more messages come than a socket's queue holds. The client is not the slow one, so it
// is not closed (4408): it gets the snapshot, then every message after it, in order, the ones
// that did not fit read again from the channel's history.
func TestSocketSnapshotSlowerThanTheQueueLosesNothing(t *testing.T) {
	e := newEnv(t)
	k := e.mustCreateContest(contestBody("Sprint", time.Now().Add(-time.Hour)))
	slow := &slowSnapshots{entered: make(chan struct{}), release: make(chan struct{})}
	const queue = 16
	ws := startWS(t, e, func(d *live.Deps) {
		d.Options.QueueSize = queue
		slow.Snapshots = d.Snapshots
		d.Snapshots = slow
	}, nil)
	ch := "contest:" + k.ID
	// A second socket on the same node watches the channel, its snapshot not held: once it has
	// a message, the node's fan-out has handed that message to the waiting subscription too.
	other := dialWS(t, ws.url, nil)
	other.auth(adminSecret)
	other.subscribe(ch)
	other.nextOf("snapshot")
	// One message moves the channel past the seq of that snapshot, which the node keeps for
	// fresh subscribers at that seq: the next one is read (and held).
	e.publish(ch, "update", map[string]any{"n": 0})
	other.wantSeqs(ch, 1, 1)

	slow.armed.Store(true)
	c := dialWS(t, ws.url, nil)
	c.auth(adminSecret)
	c.subscribe(ch)
	select {
	case <-slow.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription never asked for its snapshot")
	}
	// Published in small batches, so the second socket's own queue never fills.
	const n = 4*queue + 8 // several queues' worth, well within the channel's history
	for i := 2; i <= n+1; i += 8 {
		for j := i; j < i+8; j++ {
			e.publish(ch, "update", map[string]any{"n": j})
		}
		other.wantSeqs(ch, int64(i), 8)
	}
	close(slow.release)
	snap := c.nextOf("snapshot")
	if snap.Channel != ch {
		t.Fatalf("snapshot of %s, want %s", snap.Channel, ch)
	}
	if snap.Seq != 1 {
		t.Fatalf("the snapshot is at seq %d, want 1 (read before the messages)", snap.Seq)
	}
	c.wantSeqs(ch, 2, n)
	c.wantNothingMore()
}
