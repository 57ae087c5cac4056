//go:build !unix

package live

import "syscall"

// noWaitWriter writes nothing on systems without it: every frame goes through the socket's
// writer goroutine.
type noWaitWriter struct{}

func newNoWaitWriter() *noWaitWriter { return &noWaitWriter{} }

func (*noWaitWriter) write(syscall.RawConn, []byte) (int, error) { return 0, errWouldBlock }
