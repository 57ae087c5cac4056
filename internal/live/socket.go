package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	fws "github.com/fasthttp/websocket"

	"bullpen/internal/bullpen"
)

// closeGrace is how long a socket waits for the client to answer its close frame.
const closeGrace = 2 * time.Second

// socket is one client connection. The Fiber goroutine reads (run). Live messages are written
// by the fan-out's flushers, with writes that do not wait (flush.go); everything else (replies,
// snapshots, pings, the close, and what a flusher could not write at once) by a writer goroutine
// of the socket's own that runs only while there is something to write, so an idle socket holds
// one goroutine, not two. One of them writes at a time (writing). Nothing ever waits on a
// socket's queue: the fan-out appends and moves on, and a socket whose queue is full is closed with
// 4408.
type socket struct {
	l    *Live
	conn *fws.Conn
	raw  net.Conn        // the connection under the WebSocket: data frames are written to it directly
	rc   syscall.RawConn // raw's descriptor, for writes that do not wait (nil: none)
	opt  Options
	id   string

	ctx    context.Context // ends with the socket
	cancel context.CancelFunc

	connectedAt time.Time
	lastSeen    atomic.Int64 // unix nanoseconds of the last message or pong from the client

	// Reader goroutine only; token and secret (its hash) are read by others once authed is set.
	token  *bullpen.Token
	secret []byte
	tokens float64 // rate limit bucket
	last   time.Time

	writerDone chan struct{} // closed when the writer has sent the close frame (or could not)

	mu        sync.Mutex
	queue     [][]byte
	spare     [][]byte
	live      int  // live (fanned-out) messages in queue, the ones the bound counts
	queued    int  // messages in queue, live or not (an entry of the queue may hold several lines)
	writing   bool // a flusher or the writer goroutine writes; after the close it stays set
	held      bool // in the fan-out's current burst: a flusher writes it when the burst ends
	pingDue   bool
	lastPing  time.Time
	subs      map[string]*subscription
	closing   bool
	code      int
	reason    string
	sendClose bool        // whether a close frame is still ours to send
	expiry    *time.Timer // closes the socket when its secret stops working (expiry.go)
	authed    atomic.Bool
}

func newSocket(l *Live, c *fws.Conn) *socket {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	ctx, cancel := context.WithCancel(context.Background())
	now := time.Now()
	raw := rawConn(c)
	sock := &socket{l: l, conn: c, raw: raw, rc: rawConnOf(raw), opt: l.opt, id: hex.EncodeToString(b), ctx: ctx,
		cancel: cancel, connectedAt: l.deps.Now().UTC(), writerDone: make(chan struct{}), subs: map[string]*subscription{},
		lastPing: now}
	sock.lastSeen.Store(now.UnixNano())
	sock.tokens = float64(sock.opt.RateBurst)
	sock.last = now
	return sock
}

// opContext bounds one of the socket's requests to Redis or PostgreSQL (auth, a subscribe, a
// catch-up). It is not derived from sock.ctx: a child would leave the socket's context holding
// a map of children and a channel (~350 B of every socket's heap, kept after the child ends)
// for a request that the timeout bounds anyway.
func (sock *socket) opContext(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// rawConn is the network connection under a WebSocket upgraded by fasthttp (which hands the
// handler a wrapper around it), or the wrapper itself when it does not say.
func rawConn(c *fws.Conn) net.Conn {
	nc := c.NetConn()
	if u, ok := nc.(interface{ UnsafeConn() net.Conn }); ok {
		if raw := u.UnsafeConn(); raw != nil {
			return raw
		}
	}
	return nc
}

// run is the reader: auth, then the client's messages, until the socket closes. It returns
// once the writer is done, so the connection can be closed under it.
func (sock *socket) run() {
	defer sock.cancel()
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
		sock.handle(data)
	}
	select {
	case <-sock.writerDone:
	case <-time.After(sock.opt.WriteTimeout + closeGrace):
		_ = sock.raw.Close()
		<-sock.writerDone
	}
}

// handle runs the handlers of one client frame on a goroutine of their own, and waits for it.
// The handlers (Redis, snapshots, JSON) need a deep stack, and the reader, which waits on the
// connection for the socket's whole life, would keep a stack as deep as they ever went: this way
// it keeps only what reading takes. Frames are still handled one after another.
func (sock *socket) handle(data []byte) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				sock.l.logger.Error("panic in socket", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				sock.close(closeInternal, "internal error")
			}
		}()
		sock.handleFrame(data)
	}()
	<-done
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
// blocks, so the fan-out may call it.
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
	sock.stopExpiryLocked()
	sock.queue, sock.spare, sock.live, sock.queued = nil, nil, 0, 0
	for _, sub := range sock.subs {
		sub.removed = true
		sub.buf = nil
	}
	sock.startWriterLocked() // it sends the close frame
	sock.l.metrics.closes.WithLabelValues(closeLabel(code)).Inc()
	if code == closeSlow {
		sock.l.metrics.slowCloses.Inc()
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
	defer sock.mu.Unlock()
	if sock.closing {
		return
	}
	sock.queue = append(sock.queue, msgs...)
	sock.queued += len(msgs)
	if len(sock.queue) > sock.maxQueued() {
		sock.closeLocked(closeSlow, "too slow to keep up", true)
		return
	}
	sock.startWriterLocked()
}

// maxQueued bounds everything queued: the live bound plus room for a few resumed histories.
func (sock *socket) maxQueued() int { return sock.opt.QueueSize + 4*bullpen.HistoryLength }

// startWriterLocked starts the writer unless one runs.
func (sock *socket) startWriterLocked() {
	if !sock.writing {
		sock.writing = true
		go sock.writeLoop(nil)
	}
}

// pushLiveLocked queues n messages from the fan-out (one per line in msg); a full queue closes
// the socket with 4408.
func (sock *socket) pushLiveLocked(msg []byte, n int) bool {
	if sock.live+n > sock.opt.QueueSize {
		sock.closeLocked(closeSlow, "too slow to keep up", true)
		return false
	}
	sock.queue = append(sock.queue, msg)
	sock.live += n
	sock.queued += n
	return true
}

// pingIfDue asks the writer for a ping when the last one is PingInterval old.
func (sock *socket) pingIfDue(now time.Time) {
	sock.mu.Lock()
	if !sock.closing && now.Sub(sock.lastPing) >= sock.opt.PingInterval {
		sock.lastPing, sock.pingDue = now, true
		sock.startWriterLocked()
	}
	sock.mu.Unlock()
}

// giveBackLocked keeps a written batch's slice for reuse, unless it grew beyond what a socket
// that keeps up needs (a catch-up's large slice would otherwise stay with the socket).
func (sock *socket) giveBackLocked(batch [][]byte) {
	if cap(batch) > spareMax || sock.closing || sock.spare != nil {
		return
	}
	clear(batch)
	sock.spare = batch[:0]
}

// writeLoop writes pending (what a flusher could not write without waiting), then what is
// queued until the queue is empty, then ends; on close it sends the close frame and ends for
// good.
func (sock *socket) writeLoop(pending []byte) {
	if len(pending) > 0 && sock.writeRest(pending) != nil {
		sock.closeQuiet(0)
	}
	var written [][]byte
	for {
		sock.mu.Lock()
		if written != nil {
			sock.giveBackLocked(written)
			written = nil
		}
		if sock.closing {
			code, reason, frame := sock.code, sock.reason, sock.sendClose
			sock.mu.Unlock()
			sock.writeClose(code, reason, frame)
			close(sock.writerDone)
			return
		}
		batch, msgs, ping := sock.queue, sock.queued, sock.pingDue
		if len(batch) == 0 && !ping {
			sock.writing = false
			sock.mu.Unlock()
			return
		}
		sock.queue, sock.spare, sock.live, sock.queued, sock.pingDue = sock.spare[:0], nil, 0, 0, false
		sock.mu.Unlock()
		err := sock.writeBatch(batch, msgs)
		if err == nil && ping {
			err = sock.conn.WriteControl(fws.PingMessage, nil, time.Now().Add(sock.opt.WriteTimeout))
		}
		if err != nil {
			// The connection is gone: no close frame; the reader stops at once.
			sock.closeQuiet(0)
			continue
		}
		written = batch
	}
}

// spareMax is the largest queue slice a socket keeps for reuse.
const spareMax = 16

// writeBatch writes the messages as few frames as fit maxFrame, one message per line, each frame
// with one system call straight to the connection. A lone message (the common case for a socket
// that keeps up) goes out as written by the publisher, shared by every socket of the channel,
// behind its header (writev); several are copied into one buffer. Control frames go through the
// WebSocket library; both write whole frames in single calls, which the connection serializes,
// so they never interleave.
func (sock *socket) writeBatch(batch [][]byte, msgs int) error {
	if len(batch) == 0 {
		return nil
	}
	f := framePool.Get().(*frameBuf)
	defer f.release()
	_ = sock.raw.SetWriteDeadline(time.Now().Add(sock.opt.WriteTimeout))
	for i := 0; i < len(batch); {
		if sock.isClosing() {
			return nil
		}
		n, size := nextFrame(batch[i:])
		if err := f.write(sock.raw, batch[i:i+n], size); err != nil {
			return err
		}
		i += n
		sock.l.metrics.frames.Inc()
	}
	sock.l.metrics.messages.Add(float64(msgs))
	return nil
}

// frameBuf assembles one frame. Writing header and message as two pieces of one writev keeps the
// connection's vector small: Go keeps an FD's largest vector for reuse, so a vector per message
// would leave every socket holding one as long as its largest batch.
type frameBuf struct {
	hdr  [10]byte
	two  [2][]byte
	bufs net.Buffers
	flat []byte
}

var framePool = sync.Pool{New: func() any { return &frameBuf{} }}

func (f *frameBuf) release() {
	f.two = [2][]byte{}
	if cap(f.flat) > 4*maxFrame {
		f.flat = nil
	}
	framePool.Put(f)
}

// write sends msgs, joined by newlines (size bytes in all), as one text frame in one call.
func (f *frameBuf) write(c net.Conn, msgs [][]byte, size int) error {
	hdr := textFrameHeader(f.hdr[:0], size)
	if _, ok := c.(*net.TCPConn); ok && len(msgs) == 1 {
		f.two = [2][]byte{hdr, msgs[0]}
		f.bufs = f.two[:]
		_, err := f.bufs.WriteTo(c) // WriteTo consumes f.bufs, not f.two
		return err
	}
	f.flat = append(f.flat[:0], hdr...)
	for i, m := range msgs {
		if i > 0 {
			f.flat = append(f.flat, '\n')
		}
		f.flat = append(f.flat, m...)
	}
	_, err := c.Write(f.flat)
	return err
}

// textFrameHeader appends the header of a final, unmasked text frame (a server's) of n bytes.
func textFrameHeader(b []byte, n int) []byte {
	const finText = 0x81
	switch {
	case n < 126:
		return append(b, finText, byte(n))
	case n <= 0xffff:
		return append(b, finText, 126, byte(n>>8), byte(n))
	}
	return append(b, finText, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// writeClose sends the close frame (when it is ours to send) and gives the client a moment to
// answer before the reader stops waiting; without a frame, the reader stops at once.
func (sock *socket) writeClose(code int, reason string, frame bool) {
	c := sock.conn
	if frame {
		_ = c.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(code, reason), time.Now().Add(sock.opt.WriteTimeout))
		_ = c.SetReadDeadline(time.Now().Add(closeGrace))
		return
	}
	_ = c.SetReadDeadline(time.Now())
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
