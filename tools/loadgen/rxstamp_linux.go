//go:build linux

package main

import (
	"context"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rxConn is a viewer's TCP connection that asks the kernel when its data arrived
// (SO_TIMESTAMPNS: the receive time of the last segment each read returns). A message's
// delivery is timed there, on the viewer's socket, as well as when this program got round to
// reading it: with 10,000 viewers on the server's two cores the second also holds the load
// program's own wait for a core.
type rxConn struct {
	*net.TCPConn
	rc  syscall.RawConn
	oob []byte
	at  atomic.Int64 // unix ns of the last read's arrival, 0 when the kernel gave none
}

// dialRx dials as d does and turns receive timestamps on; a connection that refuses them is
// returned plain (its messages are then timed at the read only).
func dialRx(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc, ok := c.(*net.TCPConn)
		if !ok {
			return c, nil
		}
		rc, err := tc.SyscallConn()
		if err != nil {
			return c, nil
		}
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
		}); err != nil || serr != nil {
			return c, nil
		}
		return &rxConn{TCPConn: tc, rc: rc, oob: make([]byte, unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{}))))}, nil
	}
}

func (c *rxConn) Read(p []byte) (int, error) {
	var n, oobn int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), p, c.oob, 0)
		return rerr != unix.EAGAIN
	})
	switch {
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("recvmsg", rerr)}
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	c.at.Store(rxTime(c.oob[:oobn]))
	return n, nil
}

// rxTime is the SCM_TIMESTAMPNS in a read's control messages, in unix ns (0 if none).
func rxTime(oob []byte) int64 {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
			return ts.Nano()
		}
	}
	return 0
}

// arrivedAt is when the data of the connection's last read reached its socket, as time since
// start; ok false when unknown.
func arrivedAt(c net.Conn, start time.Time) (time.Duration, bool) {
	rx, ok := c.(*rxConn)
	if !ok {
		return 0, false
	}
	ns := rx.at.Load()
	if ns == 0 {
		return 0, false
	}
	// Both on the wall clock: the kernel stamps CLOCK_REALTIME.
	return time.Unix(0, ns).Sub(start.Round(0)), true
}

// ownSessions: -sessions, each child in a session of its own (ownSession).
var ownSessions bool

// ownSession starts a child in a session of its own with -sessions (nil otherwise: the
// child shares this program's). With the kernel's autogroup scheduling
// (kernel.sched_autogroup_enabled, on here), a session is a CPU group: the cores are shared
// between groups first, then between the processes of a group, as containers would share
// them. The services that scripts/services.sh starts are each in a session of their own
// already; `make demo` starts the server and the consumer in one.
func ownSession() *syscall.SysProcAttr {
	if !ownSessions {
		return nil
	}
	return &syscall.SysProcAttr{Setsid: true}
}
