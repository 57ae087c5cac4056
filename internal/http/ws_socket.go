package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	fws "github.com/fasthttp/websocket"

	"bullpen/internal/bullpen"
	"bullpen/internal/redis"
)

// closeGrace is how long a socket waits for the client to answer its close frame.
const closeGrace = 2 * time.Second

// socket is one client connection. The Fiber goroutine reads (run); one writer goroutine
// owns every data frame and drains a queue that nothing else ever waits on: the hub appends
// and moves on, and a socket whose queue is full is closed with 4408.
type socket struct {
	srv  *Server
	hub  *hub
	conn *fws.Conn
	opt  SocketOptions
	id   string

	ctx    context.Context // ends with the socket
	cancel context.CancelFunc

	connectedAt time.Time
	lastSeen    atomic.Int64 // unix nanoseconds of the last message or pong from the client

	// Reader goroutine only.
	token  *bullpen.Token
	tokens float64 // rate limit bucket
	last   time.Time

	wake       chan struct{} // the queue has something (capacity 1)
	closingCh  chan struct{} // closed when the socket starts closing
	writerDone chan struct{}

	mu        sync.Mutex
	queue     [][]byte
	spare     [][]byte
	live      int // live (hub) messages in queue, the ones the bound counts
	subs      map[string]*subscription
	closing   bool
	code      int
	reason    string
	sendClose bool // whether a close frame is still ours to send
	authed    atomic.Bool
}

func newSocket(s *Server, c *fws.Conn) *socket {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	ctx, cancel := context.WithCancel(context.Background())
	sock := &socket{srv: s, hub: s.hub, conn: c, opt: s.hub.opt, id: hex.EncodeToString(b), ctx: ctx, cancel: cancel,
		connectedAt: s.Now().UTC(), wake: make(chan struct{}, 1), closingCh: make(chan struct{}),
		writerDone: make(chan struct{}), subs: map[string]*subscription{}}
	sock.lastSeen.Store(time.Now().UnixNano())
	sock.tokens = float64(sock.opt.RateBurst)
	sock.last = time.Now()
	return sock
}

// run is the reader: auth, then the client's messages, until the socket closes. It returns
// once the writer is done, so the connection can be closed under it.
func (sock *socket) run() {
	defer sock.cancel()
	go sock.writeLoop()
	c := sock.conn
	c.SetReadLimit(maxClientMessage)
	_ = c.SetReadDeadline(time.Now().Add(sock.opt.AuthTimeout))
	c.SetPongHandler(func(string) error {
		sock.heard()
		return nil
	})
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			sock.readFailed(err)
			break
		}
		sock.heard()
		sock.handleFrame(data)
	}
	select {
	case <-sock.writerDone:
	case <-time.After(sock.opt.WriteTimeout + closeGrace):
		_ = c.NetConn().Close()
		<-sock.writerDone
	}
}

// heard records that the client is alive and pushes the idle deadline back.
func (sock *socket) heard() {
	sock.lastSeen.Store(time.Now().UnixNano())
	if !sock.authed.Load() || sock.isClosing() {
		return
	}
	_ = sock.conn.SetReadDeadline(time.Now().Add(sock.opt.IdleTimeout))
	if sock.isClosing() {
		// The close began meanwhile: keep to its grace, not the idle timeout.
		_ = sock.conn.SetReadDeadline(time.Now().Add(closeGrace))
	}
}

func (sock *socket) readFailed(err error) {
	var ce *fws.CloseError
	var ne net.Error
	switch {
	case sock.isClosing():
		// Our close: the client answered it, or the grace ran out.
		sock.finish()
	case errors.As(err, &ce):
		// The client closed; the library has answered its close frame.
		sock.closeQuiet(ce.Code)
	case errors.Is(err, fws.ErrReadLimit):
		// The library has sent 1009.
		sock.closeQuiet(closeTooBig)
	case errors.As(err, &ne) && ne.Timeout():
		if sock.token == nil {
			sock.close(closeUnauthenticated, "no auth message in time")
		} else {
			sock.close(closeSlow, "idle: no message or pong")
		}
	default:
		sock.closeQuiet(0)
	}
}

// allowMessage takes one token from the rate limit bucket.
func (sock *socket) allowMessage() bool {
	now := time.Now()
	sock.tokens += now.Sub(sock.last).Seconds() * sock.opt.RateLimit
	sock.last = now
	if max := float64(sock.opt.RateBurst); sock.tokens > max {
		sock.tokens = max
	}
	if sock.tokens < 1 {
		return false
	}
	sock.tokens--
	return true
}

func (sock *socket) isClosing() bool {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	return sock.closing
}

// close starts closing with code: the writer sends the close frame and stops. It never
// blocks, so the hub may call it.
func (sock *socket) close(code int, reason string) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	sock.closeLocked(code, reason, true)
}

// closeQuiet closes without a close frame of ours (the client's or the library's went).
func (sock *socket) closeQuiet(code int) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	sock.closeLocked(code, "", false)
}

func (sock *socket) closeLocked(code int, reason string, frame bool) {
	if sock.closing {
		return
	}
	sock.closing, sock.code, sock.reason, sock.sendClose = true, code, reason, frame
	sock.queue, sock.spare, sock.live = nil, nil, 0
	for _, sub := range sock.subs {
		sub.removed = true
		sub.buf = nil
	}
	close(sock.closingCh)
	sock.hub.metrics.closes.WithLabelValues(closeLabel(code)).Inc()
	if code == closeSlow {
		sock.hub.metrics.slowCloses.Inc()
	}
}

// finish ends a socket whose reader has stopped.
func (sock *socket) finish() {
	sock.closeQuiet(0)
}

// send queues a reply of the socket's own (welcome, pong, error). Replies, snapshots and
// resumed history do not count against the live bound: the client asked for them. Only a
// client that asks and never reads piles them up, and maxQueued stops it.
func (sock *socket) send(msgs ...[]byte) {
	sock.mu.Lock()
	if sock.closing {
		sock.mu.Unlock()
		return
	}
	sock.queue = append(sock.queue, msgs...)
	if len(sock.queue) > sock.maxQueued() {
		sock.closeLocked(closeSlow, "too slow to keep up", true)
	}
	sock.mu.Unlock()
	sock.signal()
}

// maxQueued bounds everything queued: the live bound plus room for a few resumed histories.
func (sock *socket) maxQueued() int { return sock.opt.QueueSize + 4*redis.HistoryLength }

func (sock *socket) signal() {
	select {
	case sock.wake <- struct{}{}:
	default:
	}
}

// pushLiveLocked queues a message from the hub; a full queue closes the socket with 4408.
func (sock *socket) pushLiveLocked(msg []byte) bool {
	if sock.live >= sock.opt.QueueSize {
		sock.closeLocked(closeSlow, "too slow to keep up", true)
		return false
	}
	sock.queue = append(sock.queue, msg)
	sock.live++
	return true
}

// take empties the queue for the writer.
func (sock *socket) take() [][]byte {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	batch := sock.queue
	sock.queue, sock.spare, sock.live = sock.spare[:0], nil, 0
	return batch
}

// giveBack returns a written batch's slice for reuse, unless it grew large.
func (sock *socket) giveBack(batch [][]byte) {
	if cap(batch) > 4*sock.opt.QueueSize {
		return
	}
	clear(batch)
	sock.mu.Lock()
	if !sock.closing && sock.spare == nil {
		sock.spare = batch[:0]
	}
	sock.mu.Unlock()
}

func (sock *socket) writeLoop() {
	defer close(sock.writerDone)
	c := sock.conn
	ping := time.NewTicker(sock.opt.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-sock.closingCh:
			sock.writeClose()
			return
		case <-ping.C:
			if err := c.WriteControl(fws.PingMessage, nil, time.Now().Add(sock.opt.WriteTimeout)); err != nil {
				sock.writeFailed()
				return
			}
		case <-sock.wake:
			batch := sock.take()
			if err := sock.writeBatch(batch); err != nil {
				sock.writeFailed()
				return
			}
			sock.giveBack(batch)
		}
	}
}

// writeBatch packs the messages into as few frames as fit maxFrame, one message per line.
func (sock *socket) writeBatch(batch [][]byte) error {
	c := sock.conn
	for i := 0; i < len(batch); {
		if sock.isClosing() {
			return nil
		}
		_ = c.SetWriteDeadline(time.Now().Add(sock.opt.WriteTimeout))
		w, err := c.NextWriter(fws.TextMessage)
		if err != nil {
			return err
		}
		n, size := 0, 0
		for i < len(batch) && (n == 0 || size+1+len(batch[i]) <= maxFrame) {
			if n > 0 {
				if _, err := w.Write(newline); err != nil {
					return err
				}
				size++
			}
			if _, err := w.Write(batch[i]); err != nil {
				return err
			}
			size += len(batch[i])
			n++
			i++
		}
		if err := w.Close(); err != nil {
			return err
		}
		sock.hub.metrics.messages.Add(float64(n))
		sock.hub.metrics.frames.Inc()
	}
	return nil
}

var newline = []byte{'\n'}

// writeClose sends the close frame (when it is ours to send) and gives the client a moment to
// answer before the reader stops waiting.
func (sock *socket) writeClose() {
	sock.mu.Lock()
	code, reason, frame := sock.code, sock.reason, sock.sendClose
	sock.mu.Unlock()
	c := sock.conn
	if frame {
		_ = c.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(code, reason), time.Now().Add(sock.opt.WriteTimeout))
		_ = c.SetReadDeadline(time.Now().Add(closeGrace))
		return
	}
	_ = c.SetReadDeadline(time.Now())
}

// writeFailed ends a socket the writer can no longer write to; the reader stops at once.
func (sock *socket) writeFailed() {
	sock.closeQuiet(0)
	_ = sock.conn.SetReadDeadline(time.Now())
}

func closeLabel(code int) string {
	switch code {
	case 0:
		return "network"
	case closeGoingAway:
		return "1001"
	case closeTooBig:
		return "1009"
	case closeInternal:
		return "1011"
	case closeUnauthenticated:
		return "4401"
	case closeForbidden:
		return "4403"
	case closeSlow:
		return "4408"
	case closeRateLimited:
		return "4429"
	}
	return "client"
}
