//go:build linux

package main

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"golang.org/x/sys/unix"
)

// poller reads the viewers' sockets from one thread per core, with epoll and one read per
// ready socket, instead of a goroutine per socket in Go's scheduler. The viewers' process runs
// on the server's two cores: every microsecond it spends per frame is taken from the server
// (a browser does this work on a machine of its own). Reading this way costs it about a third
// less per frame (6.6–7.9 µs against 10.5 in one series, docs/benchmarks.md); tools/fanfloor's
// reader is the same loop.
//
// A viewer connects and upgrades through the WebSocket library; then its descriptor is handed
// over (a duplicate of it joins the poller's epoll set and Go's own netpoller lets go of it),
// and its auth and subscribes go out as the poller's own frames.
type poller struct {
	e   *env
	eps []int

	mu      sync.Mutex
	clients map[int]*client // by descriptor
}

func newPoller(e *env) (*poller, error) {
	p := &poller{e: e, clients: map[int]*client{}}
	for range runtime.GOMAXPROCS(0) {
		ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			return nil, err
		}
		p.eps = append(p.eps, ep)
	}
	for _, ep := range p.eps {
		go p.loop(ep)
	}
	return p, nil
}

// adopt takes the upgraded connection's socket from the WebSocket library: the client reads
// and writes it through the poller from now on.
func (p *poller) adopt(c *client, conn *websocket.Conn) error {
	tc, ok := conn.NetConn().(*net.TCPConn)
	if !ok {
		return errors.New("not a TCP connection")
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) { fd, derr = unix.Dup(int(s)) }); err != nil {
		return err
	}
	if derr != nil {
		return derr
	}
	// Closing the library's connection takes the original descriptor out of Go's netpoller;
	// the duplicate keeps the socket (non-blocking: the flag is the socket's, shared).
	_ = conn.Close()
	c.wmu.Lock()
	c.fd, c.in = fd, c.in[:0]
	c.wmu.Unlock()
	p.mu.Lock()
	p.clients[fd] = c
	p.mu.Unlock()
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)}
	if err := unix.EpollCtl(p.eps[c.id%len(p.eps)], unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		p.forget(c, fd)
		return err
	}
	return nil
}

// forget closes an adopted socket once: the reader has stopped.
func (p *poller) forget(c *client, fd int) {
	p.mu.Lock()
	delete(p.clients, fd)
	p.mu.Unlock()
	c.wmu.Lock()
	if c.fd == fd {
		c.fd = -1
		_ = unix.Close(fd) // also leaves the epoll set
		close(c.done)
	}
	c.wmu.Unlock()
}

func (p *poller) loop(ep int) {
	runtime.LockOSThread()
	events := make([]unix.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.EpollWait(ep, events, -1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			logf("epoll: %v", err)
			return
		}
		for _, ev := range events[:max(n, 0)] {
			fd := int(ev.Fd)
			p.mu.Lock()
			c := p.clients[fd]
			p.mu.Unlock()
			if c == nil {
				continue
			}
			m, err := unix.Read(fd, buf)
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			if m <= 0 {
				p.closed(c, fd, -1)
				continue
			}
			if code, done := p.frames(c, buf[:m]); done {
				p.closed(c, fd, code)
			}
		}
	}
}

// closed ends a socket the server or the network closed (code -1: without a close frame),
// or that the client left.
func (p *poller) closed(c *client, fd, code int) {
	if !c.leaving.Load() {
		p.e.st.closed(code)
		c.signal(errors.New("closed before both channels answered"))
	}
	p.forget(c, fd)
}

// frames handles what a read brought: whole frames now, a cut one kept for the next read. It
// reports a close frame's code, or a protocol error (-1), with done.
func (p *poller) frames(c *client, b []byte) (int, bool) {
	if len(c.in) > 0 {
		c.in = append(c.in, b...)
		b = c.in
	}
	now := time.Since(p.e.start)
	for len(b) >= 2 {
		op, n, h := b[0]&0x0f, int(b[1]&0x7f), 2
		if b[1]&0x80 != 0 {
			return -1, true // a server never masks
		}
		if n == 126 {
			if len(b) < 4 {
				break
			}
			n, h = int(binary.BigEndian.Uint16(b[2:])), 4
		} else if n == 127 {
			if len(b) < 10 {
				break
			}
			n, h = int(binary.BigEndian.Uint64(b[2:])), 10
		}
		if len(b) < h+n {
			break
		}
		payload := b[h : h+n]
		b = b[h+n:]
		switch op {
		case websocket.TextMessage:
			p.e.frame(c, payload, now, 0, false)
		case websocket.PingMessage:
			_ = c.write(websocket.PongMessage, payload) // a failed one shows as the socket closing
		case websocket.CloseMessage:
			code := websocket.CloseNoStatusReceived
			if len(payload) >= 2 {
				code = int(binary.BigEndian.Uint16(payload))
			}
			return code, true
		case websocket.PongMessage:
		default:
			return -1, true // the server sends no fragments nor binary frames
		}
	}
	// Keep what is left of a cut frame.
	if len(b) == 0 {
		c.in = c.in[:0]
	} else if len(c.in) == 0 || &b[0] != &c.in[0] {
		c.in = append(c.in[:0], b...)
	}
	return 0, false
}

// write sends one masked frame (a client's frames are masked) on an adopted socket.
func (c *client) write(op int, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.fd < 0 {
		return net.ErrClosed
	}
	f := make([]byte, 0, len(payload)+8)
	f = append(f, 0x80|byte(op))
	if len(payload) < 126 {
		f = append(f, 0x80|byte(len(payload)))
	} else {
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(len(payload)))
	}
	var key [4]byte
	binary.LittleEndian.PutUint32(key[:], rand.Uint32())
	f = append(f, key[:]...)
	for i, x := range payload {
		f = append(f, x^key[i%4])
	}
	for len(f) > 0 {
		n, err := unix.Write(c.fd, f)
		switch {
		case errors.Is(err, unix.EAGAIN):
			time.Sleep(time.Millisecond)
		case err != nil:
			return err
		default:
			f = f[n:]
		}
	}
	return nil
}

// leaveAdopted closes an adopted socket from the client's side and waits for its reader.
func (c *client) leaveAdopted() {
	c.leaving.Store(true)
	_ = c.write(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	c.wmu.Lock()
	if c.fd >= 0 {
		_ = unix.Shutdown(c.fd, unix.SHUT_RDWR)
	}
	c.wmu.Unlock()
	<-c.done
}
