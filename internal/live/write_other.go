//go:build !unix

package live

import "syscall"

// writeNoWait writes nothing on systems without it: every frame goes through the socket's
// writer goroutine.
func writeNoWait(syscall.RawConn, []byte) (int, error) { return 0, errWouldBlock }
