//go:build linux

package live

import (
	"errors"
	"log/slog"
	"testing"

	"bullpen/internal/uring"
)

// ringFlusher is a flusher that sends through io_uring, or skips the test where it is refused.
func ringFlusher(tb testing.TB) *flusher {
	tb.Helper()
	f := newFlusher()
	if f.r = (&fanOut{logger: slog.Default()}).newRingSender(f); f.r == nil {
		tb.Skip("io_uring is refused here")
	}
	ring := f.r.ring // a test may put another in its place
	tb.Cleanup(func() { _ = ring.Close() })
	return f
}

// burstRing is burst with the flushers' io_uring path: the burst's sockets in chunks.
func (fb *floorBench) burstRing(f *flusher, msgs int) {
	for range msgs {
		fb.fo.add("floor", fb.message())
	}
	fb.fo.handOut()
	for i := 0; i < len(fb.fo.burst); i += flushChunk {
		f.flushRing(fb.fo.burst[i:min(i+flushChunk, len(fb.fo.burst))])
	}
	clear(fb.fo.burst)
	fb.fo.burst = fb.fo.burst[:0]
}

// Every socket of a burst larger than a chunk gets its own frames, whole and in order, from the
// io_uring path, which allocates no more per delivered message than the write(2) path.
func TestARingFlusherSendsEachSocketItsFramesAChunkAtATime(t *testing.T) {
	const sockets = flushChunk + 72 // two chunks
	fb := newFloorBench(t, sockets, false)
	for _, sock := range fb.socks[:10] {
		sock.subs["floor"].seq = 1 // has the first message: its frame differs from the rest's
	}
	f := ringFlusher(t)
	start := fb.seq
	fb.burstRing(f, 3)
	fb.check(t)
	if f.r.failed != nil {
		t.Fatalf("the ring failed: %v", f.r.failed)
	}
	var all []int64
	for seq := start + 1; seq <= fb.seq; seq++ {
		all = append(all, seq)
	}
	for i := range fb.socks {
		want := all
		if i < 10 {
			want = all[1:]
		}
		got := readFrames(t, fb.peers[2*i+1], 1)[0]
		if len(got) != len(want) {
			t.Fatalf("socket %d got %d messages in its frame, want %d", i, len(got), len(want))
		}
		for j, m := range got {
			if seqOf(m) != want[j] {
				t.Fatalf("socket %d message %d is %.60q, want seq %d", i, j, m, want[j])
			}
		}
	}
	if got, want := counted(t, fb.socks[0].l.metrics.messages), float64(sockets*3-10); got != want {
		t.Errorf("%v messages counted, want %v", got, want)
	}

	drained := newFloorBench(t, 200, true)
	fr := ringFlusher(t)
	drained.burstRing(fr, 3)
	allocs := testing.AllocsPerRun(50, func() { drained.burstRing(fr, 3) })
	drained.check(t)
	if perMessage := allocs / (200 * 3); perMessage > 0.05 {
		t.Fatalf("%.3f allocations per delivered message through io_uring (%.0f a burst), want at most 0.05", perMessage, allocs)
	}
}

// seqOf is a message's seq, read as the fan-out reads it.
func seqOf(m string) int64 {
	msg, _ := parseMessage(m)
	return msg.seq
}

// failingRing is a ring whose system call fails before it submits anything.
type failingRing struct{}

func (failingRing) SendAll(sends []uring.Send) error {
	for i := range sends {
		sends[i].N, sends[i].Err = 0, uring.ErrNotSent
	}
	return errors.New("io_uring_enter: cannot allocate memory")
}

func (failingRing) Close() error { return nil }

// A ring that fails has what it did not send written with write(2), whole, and the flusher
// says so (flushLoop then does without it).
func TestARingThatFailsHasTheChunkWrittenAnotherWay(t *testing.T) {
	fb := newFloorBench(t, 5, false)
	f := ringFlusher(t)
	f.r.ring = failingRing{}
	start := fb.seq
	fb.burstRing(f, 2)
	fb.check(t)
	if f.r.failed == nil {
		t.Fatal("the flusher did not note that its ring failed")
	}
	for i := range fb.socks {
		got := readFrames(t, fb.peers[2*i+1], 1)[0]
		if len(got) != 2 || seqOf(got[0]) != start+1 || seqOf(got[1]) != start+2 {
			t.Fatalf("socket %d got %d messages (%.40q…), want both", i, len(got), got)
		}
	}
}

// Sockets with more queued than one io_uring call takes (ringBuffer) are sent in parts: each
// gets all of its frames, and the flusher's buffer stays within what it keeps.
func TestARingFlusherSendsABigChunkInParts(t *testing.T) {
	fb := newFloorBench(t, 40, true)
	f := ringFlusher(t)
	const msgs = 80 // ~20 KB a socket: 800 KB for the chunk, three times ringBuffer
	fb.burstRing(f, msgs)
	fb.check(t)
	if cap(f.buf) > 512<<10 { // twice ringBuffer: the frames of one part, and one socket's beyond it
		t.Fatalf("the flusher's buffer grew to %d bytes for a chunk of %d sockets of %d messages", cap(f.buf), 40, msgs)
	}
	if got, want := counted(t, fb.socks[0].l.metrics.messages), float64(40*msgs); got != want {
		t.Fatalf("%v messages written, want %v", got, want)
	}
}

// countingRing counts its closes.
type countingRing struct {
	failingRing
	closes *int
}

func (c countingRing) Close() error { *c.closes++; return nil }

// A flusher's ring is closed once, however often close is called: a second Close would close
// whatever descriptor had taken its number since.
func TestARingIsClosedOnce(t *testing.T) {
	f := ringFlusher(t)
	closes := 0
	f.r.ring = countingRing{closes: &closes} // the real one is closed by ringFlusher's cleanup
	f.r.close()
	f.r.close()
	if closes != 1 {
		t.Fatalf("closed %d times, want once", closes)
	}
}
