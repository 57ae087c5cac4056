package live

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// How a burst's frames leave: the fan-out hands the sockets of a burst, in chunks, to a few
// flusher goroutines (one per core), which write each socket's frames with a system call that
// does not wait. A socket that keeps up takes no goroutine of its own for it: its frames fit in its
// connection's send buffer. Only when the buffer is full (a slow client, a burst larger than
// the buffer) does the rest go to a writer goroutine of the socket's own, which waits for the
// connection under the write timeout, while the flusher moves on. Thousands of sockets written
// from a few goroutines, rather than a goroutine started per socket per burst, also leave the
// scheduler free for the rest (subscribes, Redis replies) in a reconnect storm.

// flushChunk is how many sockets one flusher takes at once.
const flushChunk = 128

// keptBuffer is the largest buffer a flusher keeps between chunks: a chunk's frames through
// io_uring take about 200 KB at 10,000 viewers of 20 celebrations a second; a larger one (a
// burst after a pause) is let go rather than held by every flusher for good.
const keptBuffer = 1 << 20

// flusher is one flusher goroutine's own buffer and writers, reused for every socket it writes:
// with io_uring (sends.go) a chunk's sockets are written with one system call, else each with
// its own (noWaitWriter).
type flusher struct {
	buf []byte
	w   *noWaitWriter
	r   *ringSender // nil: a write(2) per socket
}

// newFlusher is a flusher that writes each socket with its own system call.
func newFlusher() *flusher { return &flusher{w: newNoWaitWriter()} }

// errWouldBlock: the connection's send buffer is full, or it cannot be written without waiting.
var errWouldBlock = errors.New("the write would wait")

func (fo *fanOut) flushLoop(ctx context.Context) {
	f := newFlusher()
	f.r = fo.newRingSender(f)
	defer func() { f.r.close() }()
	for {
		select {
		case <-ctx.Done():
			return
		case chunk := <-fo.flushCh:
			if f.r.usable() {
				f.flushRing(chunk)
				if f.r.failed != nil {
					fo.logger.Warn("io_uring failed: this flusher writes each socket with a system call of its own", "err", f.r.failed)
					f.r.close()
					f.r = nil
				}
			} else {
				for _, sock := range chunk {
					sock.flushNow(f)
				}
			}
			if cap(f.buf) > keptBuffer {
				f.buf = nil
			}
		}
	}
}

// flushNow writes what the socket has queued, without waiting, unless a writer goroutine
// already runs for it (which then writes it).
func (sock *socket) flushNow(f *flusher) {
	batch, msgs, ok := sock.takeQueued()
	if !ok {
		return
	}
	var frames int
	f.buf, frames = appendFrames(f.buf[:0], batch)
	sock.l.metrics.messages.Add(float64(msgs))
	sock.l.metrics.frames.Add(float64(frames))
	n, err := f.w.write(sock.rc, f.buf)
	sock.flushed(batch, f.buf[n:], err)
}

// takeQueued takes what the socket has queued for a flusher to write, and marks it written
// (ok), unless a writer goroutine already runs for it (which then writes it) or it has nothing
// or cannot be written without waiting (then its writer goroutine starts if it has work).
func (sock *socket) takeQueued() (batch [][]byte, msgs int, ok bool) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	sock.held = false
	if sock.writing || len(sock.queue) == 0 || sock.rc == nil {
		if len(sock.queue) > 0 || sock.closing {
			sock.startWriterLocked()
		}
		return nil, 0, false
	}
	batch, msgs = sock.queue, sock.queued
	sock.queue, sock.spare, sock.live, sock.queued = sock.spare[:0], nil, 0, 0
	sock.writing = true
	return batch, msgs, true
}

// flushed ends a flusher's write of batch: rest is what the connection did not take, err why.
func (sock *socket) flushed(batch [][]byte, rest []byte, err error) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	switch {
	case err == nil:
		sock.writing = false
		sock.giveBackLocked(batch)
		if sock.closing || len(sock.queue) > 0 || sock.pingDue {
			sock.startWriterLocked()
		}
	case errors.Is(err, errWouldBlock):
		// The rest waits for the connection on the socket's own writer, which goes on with
		// what is queued after it.
		rest := append([]byte(nil), rest...)
		go sock.writeLoop(rest)
	default:
		// The connection is gone: no close frame; the reader stops at once.
		sock.writing = false
		sock.closeLocked(0, "", false)
		sock.startWriterLocked()
	}
}

// appendFrames appends the messages as text frames of at most maxFrame (unless one message is
// larger), one message per line, and says how many frames.
func appendFrames(b []byte, batch [][]byte) (_ []byte, frames int) {
	for i := 0; i < len(batch); {
		n, size := nextFrame(batch[i:])
		b = textFrameHeader(b, size)
		for j := i; j < i+n; j++ {
			if j > i {
				b = append(b, '\n')
			}
			b = append(b, batch[j]...)
		}
		frames++
		i += n
	}
	return b, frames
}

// nextFrame is how many of the messages the next frame takes: as many as fit in maxFrame, one
// per line, and at least one (a larger message goes alone); size is its payload's length.
func nextFrame(batch [][]byte) (n, size int) {
	for _, m := range batch {
		if n > 0 && size+1+len(m) > maxFrame {
			break
		}
		if n > 0 {
			size++
		}
		size += len(m)
		n++
	}
	return n, size
}

// rawConnOf is the connection's descriptor access, for writes that do not wait (nil when the
// connection offers none, as a TLS one: then every write goes through a writer goroutine).
func rawConnOf(c any) syscall.RawConn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeRest writes what a write that would have waited left, under the write timeout.
func (sock *socket) writeRest(rest []byte) error {
	_ = sock.raw.SetWriteDeadline(time.Now().Add(sock.opt.WriteTimeout))
	_, err := sock.raw.Write(rest)
	return err
}
