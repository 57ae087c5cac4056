//go:build unix

package live

import "syscall"

// noWaitWriter writes without waiting. It is owned by one flusher and reused for every write:
// the function handed to RawConn.Write is made once (a closure made per write would put it and
// what it captures on the heap, three allocations a frame).
type noWaitWriter struct {
	b    []byte
	n    int
	err  error
	call func(fd uintptr) bool
}

func newNoWaitWriter() *noWaitWriter {
	w := &noWaitWriter{}
	w.call = w.writeFd
	return w
}

// write writes as much of b as the connection takes now, under the connection's write lock
// (so it never interleaves with the WebSocket library's control frames), and returns how much
// it wrote; errWouldBlock when not all of it.
func (w *noWaitWriter) write(rc syscall.RawConn, b []byte) (int, error) {
	w.b, w.n, w.err = b, 0, nil
	err := rc.Write(w.call)
	n, werr := w.n, w.err
	w.b, w.err = nil, nil
	if err != nil {
		// A deadline that passed (the socket's writer set it for an earlier write), or a closed
		// connection: the writer goroutine retries under a fresh deadline and tells which.
		return n, errWouldBlock
	}
	return n, werr
}

func (w *noWaitWriter) writeFd(fd uintptr) bool {
	for w.n < len(w.b) {
		m, e := syscall.Write(int(fd), w.b[w.n:])
		if m > 0 {
			w.n += m
		}
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			w.err = errWouldBlock
		case e != nil:
			w.err = e
		case m <= 0:
			w.err = errWouldBlock
		}
		if w.err != nil {
			break
		}
	}
	return true // never wait here
}
