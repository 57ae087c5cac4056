//go:build unix

package live

import "syscall"

// writeNoWait writes as much of b as the connection takes now, under the connection's write
// lock (so it never interleaves with the WebSocket library's control frames), and returns how
// much it wrote; errWouldBlock when not all of it.
func writeNoWait(rc syscall.RawConn, b []byte) (int, error) {
	n := 0
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, e := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				werr = errWouldBlock
			case e != nil:
				werr = e
			case m <= 0:
				werr = errWouldBlock
			}
			if werr != nil {
				break
			}
		}
		return true // never wait here
	})
	if err != nil {
		// A deadline that passed (the socket's writer set it for an earlier write), or a closed
		// connection: the writer goroutine retries under a fresh deadline and tells which.
		return n, errWouldBlock
	}
	return n, werr
}
