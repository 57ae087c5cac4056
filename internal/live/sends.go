//go:build linux

package live

import (
	"errors"
	"syscall"

	"bullpen/internal/uring"
)

// A chunk's sockets in one system call: with io_uring the flusher frames every socket of a chunk
// into one buffer (up to ringBuffer of frames, then the rest in another part), then sends each
// its frames with one io_uring_enter, where a write(2) each would enter the kernel 128 times. Each connection's write lock is held while its
// send is in the kernel, as for a write(2) (RawConn.Write), so nothing else writes to it in the
// middle of a frame. What a socket does not take at once goes to its writer goroutine, as before.

// batchSender sends many sockets' frames at once: an io_uring (uring.Ring).
type batchSender interface {
	SendAll(sends []uring.Send) error
	Close() error
}

// ringSender is a flusher's io_uring and the chunk in hand.
type ringSender struct {
	ring   batchSender
	f      *flusher // whose buffer holds the chunk's frames
	items  []ringItem
	sends  []uring.Send
	level  int                // the next item to lock
	enter  func(uintptr) bool // enterFd, made once
	failed error              // the ring failed once: a write(2) per socket from then on
}

// ringItem is one socket of the chunk: its taken batch, where its frames lie in the buffer,
// and its connection's descriptor once locked.
type ringItem struct {
	sock       *socket
	batch      [][]byte
	start, end int
	fd         int
	locked     bool
	n          int
	err        error
}

// newRingSender is an io_uring for one flusher, or nil (a write(2) per socket) where the
// kernel has none or refuses it, or the options say not to.
func (fo *fanOut) newRingSender(f *flusher) *ringSender {
	if fo.plainWrites {
		return nil
	}
	ring, err := uring.New(flushChunk)
	if err != nil {
		fo.ringRefused.Do(func() {
			fo.logger.Info("io_uring refused: each socket is written with a system call of its own", "err", err)
		})
		return nil
	}
	r := &ringSender{ring: ring, f: f}
	r.enter = r.enterFd
	return r
}

// usable says the flusher sends through the ring.
func (r *ringSender) usable() bool { return r != nil && r.failed == nil }

// close closes the ring, once (a second Close would close whatever descriptor took its number).
func (r *ringSender) close() {
	if r != nil && r.ring != nil {
		_ = r.ring.Close()
		r.ring = nil
	}
}

// ringBuffer bounds the frames one io_uring call sends: a chunk whose sockets have more queued
// (a burst after a pause) is sent in parts, so the flusher's buffer stays the size it keeps
// (keptBuffer) instead of growing, and being let go, chunk after chunk.
const ringBuffer = 256 << 10

// flushRing writes the chunk's sockets, in parts of at most about ringBuffer of frames.
func (f *flusher) flushRing(chunk []*socket) {
	for len(chunk) > 0 {
		chunk = f.flushRingPart(chunk)
	}
}

// flushRingPart takes and frames the queues of the chunk's first sockets until their frames
// fill ringBuffer, locks their connections, sends them all, ends each write as flushNow does,
// and returns the sockets left.
func (f *flusher) flushRingPart(chunk []*socket) []*socket {
	r := f.r
	r.items, f.buf = r.items[:0], f.buf[:0]
	taken := 0
	for ; taken < len(chunk) && len(f.buf) < ringBuffer; taken++ {
		sock := chunk[taken]
		batch, msgs, ok := sock.takeQueued()
		if !ok {
			continue
		}
		start := len(f.buf)
		var frames int
		f.buf, frames = appendFrames(f.buf, batch)
		sock.l.metrics.messages.Add(float64(msgs))
		sock.l.metrics.frames.Add(float64(frames))
		r.items = append(r.items, ringItem{sock: sock, batch: batch, start: start, end: len(f.buf)})
	}
	if len(r.items) > 0 {
		r.level = 0
		r.descend()
		for i := range r.items {
			it := &r.items[i]
			it.sock.flushed(it.batch, f.buf[it.start+it.n:it.end], it.err)
			it.sock, it.batch = nil, nil
		}
	}
	return chunk[taken:]
}

// descend locks the next item's connection (RawConn.Write, whose function runs with the write
// lock held and locks the rest from inside it), and once every connection that can be is
// locked, sends. A connection that cannot be (closed, or its deadline passed) is left to its
// writer goroutine, which tells which.
func (r *ringSender) descend() {
	for r.level < len(r.items) {
		it := &r.items[r.level]
		r.level++
		it.locked, it.n, it.err = false, 0, nil
		err := it.sock.rc.Write(r.enter)
		if it.locked {
			return // the rest was locked and sent inside
		}
		if err != nil {
			it.err = errWouldBlock
		}
	}
	r.send()
}

// enterFd runs with an item's write lock held: it notes its descriptor and goes on to the next.
func (r *ringSender) enterFd(fd uintptr) bool {
	it := &r.items[r.level-1]
	it.locked, it.fd = true, int(fd)
	r.descend()
	return true
}

// send sends every locked item's frames in one go (a batch of the ring's size, flushChunk, is
// one system call). Should the ring itself fail, what it did not submit is written here with
// write(2), a socket whose send's outcome it cannot tell is closed (its client resumes from
// what it has), and the flusher does without the ring from then on.
func (r *ringSender) send() {
	r.sends = r.sends[:0]
	for i := range r.items {
		if it := &r.items[i]; it.locked {
			r.sends = append(r.sends, uring.Send{Fd: it.fd, Buf: r.f.buf[it.start:it.end]})
		}
	}
	if len(r.sends) == 0 {
		return
	}
	err := r.ring.SendAll(r.sends)
	j := 0
	for i := range r.items {
		it := &r.items[i]
		if !it.locked {
			continue
		}
		s := &r.sends[j]
		j++
		if errors.Is(s.Err, uring.ErrNotSent) { // the ring failed before it: written here instead
			w := r.f.w
			w.b, w.n, w.err = s.Buf, 0, nil
			w.writeFd(uintptr(it.fd))
			it.n, it.err, w.b, w.err = w.n, w.err, nil, nil
			continue
		}
		it.n, it.err = s.N, nil
		switch {
		case errors.Is(s.Err, syscall.EAGAIN) || errors.Is(s.Err, syscall.EINTR) || s.Err == nil && s.N < len(s.Buf):
			it.err = errWouldBlock
		case s.Err != nil: // the connection is gone, or (ErrUnknown) what it took is not known: closed either way
			it.err = s.Err
		}
	}
	if err != nil {
		r.failed = err
	}
	clear(r.sends)
}
