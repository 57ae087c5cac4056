package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/redis"
)

// hist is a latency histogram in 1 ms buckets up to 2 minutes, safe for concurrent use.
type hist struct {
	b    [120001]atomic.Int64
	n    atomic.Int64
	over atomic.Int64
}

func (h *hist) add(d time.Duration) {
	ms := d.Milliseconds()
	if ms < 0 {
		ms = 0
	}
	if ms >= int64(len(h.b)) {
		h.over.Add(1)
		ms = int64(len(h.b) - 1)
	}
	h.b[ms].Add(1)
	h.n.Add(1)
}

func (h *hist) reset() {
	for i := range h.b {
		h.b[i].Store(0)
	}
	h.n.Store(0)
	h.over.Store(0)
}

// pct returns the p-th percentile in ms (the bucket's upper edge), -1 with no samples.
func (h *hist) pct(p float64) float64 {
	n := h.n.Load()
	if n == 0 {
		return -1
	}
	want := int64(float64(n)*p/100 + 0.5)
	if want < 1 {
		want = 1
	}
	var c int64
	for i := range h.b {
		c += h.b[i].Load()
		if c >= want {
			return float64(i + 1)
		}
	}
	return float64(len(h.b))
}

// stats are what every client adds to.
type stats struct {
	msgs, frames, bytes       atomic.Int64
	celebrations, updates     atomic.Int64
	gaps, gapMsgs, unknownWon atomic.Int64
	snapshots, subscribed     atomic.Int64
	unrecovered               atomic.Int64
	closes                    sync.Map // close code -> *atomic.Int64
	dialErrs                  atomic.Int64
	// Read by the viewer: when this program read the frame.
	celebration, update hist
	notice              hist // event to the celebration's Redis notice
	fanout              hist // the celebration's Redis notice to a viewer's frame
	// Arrived at the viewer's socket: the kernel's receive time of the frame (rxconn_linux.go),
	// which leaves out this program's own wait for a core.
	celebrationRx, updateRx, fanoutRx hist
	// One connect's phases: dial (TCP and the upgrade), auth (to the welcome), subscribe (the
	// welcome to both channels answered).
	dial, auth, sub hist
}

func (s *stats) closed(code int) {
	v, _ := s.closes.LoadOrStore(code, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (s *stats) closeCounts() map[string]int64 {
	out := map[string]int64{}
	s.closes.Range(func(k, v any) bool {
		out[strconv.Itoa(k.(int))] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// chanState is what a client knows of one channel: the last seq and the epoch.
type chanState struct {
	name  string
	seq   int64
	epoch string
	have  bool
}

// client is one viewer: a contest channel and the floor.
type client struct {
	id       int
	chans    [2]chanState // contest, floor
	pending  []int64      // send times of deals whose celebration came but no update since
	conn     *websocket.Conn
	leaving  atomic.Bool
	done     chan struct{}
	resumed  int // channels answered with "subscribed" on the last connect
	snapshot int // channels answered with a snapshot on the last connect
	dialed   time.Time
	welcomed time.Time
	buf      *bytes.Buffer // the reader's frame buffer
	ready    chan<- error  // told once both channels answered (or the socket failed first)
	answered int           // channels answered on this connect

	// Read by the poller (poll_linux.go) instead of a goroutine of its own.
	polled bool
	wmu    sync.Mutex // guards fd, and orders the client's writes
	fd     int
	in     []byte // a frame cut by a read
}

// signal tells connect how subscribing went, once.
func (c *client) signal(err error) {
	if c.ready != nil {
		c.ready <- err
		c.ready = nil
	}
}

type env struct {
	poll     *poller // nil: a goroutine reads each socket
	url      string
	token    string
	dialers  []*websocket.Dialer
	notices  *notices
	st       *stats
	start    time.Time
	measured atomic.Bool // count latencies only in the measured window
}

// newDialers returns a dialer per source address; with rx, their connections tell when their
// data arrived (the probes': in the viewers' process, the kernel's time of a read is that of its
// last segment, however many frames waited, and asking for it costs a control message per read).
func newDialers(n int, rx bool) []*websocket.Dialer {
	out := make([]*websocket.Dialer, n)
	for i := range out {
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}
		d := &net.Dialer{LocalAddr: local, Timeout: 30 * time.Second}
		dial := d.DialContext
		if rx {
			dial = dialRx(d)
		}
		out[i] = &websocket.Dialer{NetDialContext: dial, HandshakeTimeout: 30 * time.Second,
			ReadBufferSize: 4096, WriteBufferSize: 1024}
	}
	return out
}

// browserHeaders are what Chromium sends with a WebSocket upgrade besides the handshake's own
// (the server holds what it keeps of them for the socket's life, so the memory per socket is
// measured with them).
func (e *env) browserHeaders() http.Header {
	origin := strings.Replace(strings.TrimSuffix(e.url, "/ws"), "ws://", "http://", 1)
	return http.Header{
		"Origin":                   {origin},
		"User-Agent":               {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
		"Accept-Encoding":          {"gzip, deflate, br, zstd"},
		"Accept-Language":          {"en-US,en;q=0.9"},
		"Cache-Control":            {"no-cache"},
		"Pragma":                   {"no-cache"},
		"Sec-WebSocket-Extensions": {"permessage-deflate; client_max_window_bits"},
	}
}

// head is the part of a message the client reads.
type head struct {
	Type      string `json:"type"`
	Channel   string `json:"channel"`
	Seq       int64  `json:"seq"`
	Epoch     string `json:"epoch"`
	Recovered *bool  `json:"recovered"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Data      struct {
		EventID string `json:"event_id"`
	} `json:"data"`
	eventID []byte // Data.EventID, or where it is in the line
}

// after returns what follows the first `"key":` and any spaces (jsonb text has a space
// after the colon; the publish script's head has none).
func after(b []byte, key string) []byte {
	var pat [32]byte // on the stack: this runs for every message
	if len(key)+3 > len(pat) {
		return nil
	}
	pat[0] = '"'
	n := 1 + copy(pat[1:], key)
	pat[n], pat[n+1] = '"', ':'
	i := bytes.Index(b, pat[:n+2])
	if i < 0 {
		return nil
	}
	b = b[i+len(key)+3:]
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b
}

// strField returns the string value of the first key, without unescaping.
func strField(b []byte, key string) []byte {
	b = after(b, key)
	if len(b) == 0 || b[0] != '"' {
		return nil
	}
	b = b[1:]
	j := bytes.IndexByte(b, '"')
	if j < 0 {
		return nil
	}
	return b[:j]
}

func intField(b []byte, key string) (int64, bool) {
	n, j := digits(after(b, key))
	return n, j > 0
}

// digits reads the non-negative decimal number (of at most 19 digits) b starts with, and says
// how many digits it took.
func digits(b []byte) (int64, int) {
	var n int64
	j := 0
	for ; j < len(b) && j < 19 && b[j] >= '0' && b[j] <= '9'; j++ {
		n = n*10 + int64(b[j]-'0')
	}
	return n, j
}

// parse reads a message. Live messages ("update", "celebration") are written type, channel,
// seq, epoch, data in that order (internal/redis/channel.go), so their head is read by scanning,
// without allocating: the channel and epoch strings are the known channels' when they match,
// and a celebration's event id stays in the line (eventID); the rest, rare, are decoded.
func parse(line []byte, known *[2]chanState) (head, error) {
	var h head
	switch {
	case bytes.HasPrefix(line, []byte(`{"type":"update"`)):
		h.Type = "update"
	case bytes.HasPrefix(line, []byte(`{"type":"celebration"`)):
		h.Type = "celebration"
	default:
		full := new(head) // its own: taking h's address would put every h on the heap
		err := json.Unmarshal(line, full)
		full.eventID = []byte(full.Data.EventID)
		return *full, err
	}
	d := bytes.Index(line, []byte(`"data":`))
	if d < 0 {
		return h, fmt.Errorf("no data: %.80s", line)
	}
	top := line[:d]
	seq, ok := intField(top, "seq")
	if !ok {
		return h, fmt.Errorf("no seq: %.80s", line)
	}
	h.Seq = seq
	channel, epoch := strField(top, "channel"), strField(top, "epoch")
	for i := range known {
		if string(channel) == known[i].name {
			h.Channel = known[i].name
		}
		if string(epoch) == known[i].epoch {
			h.Epoch = known[i].epoch
		}
	}
	if h.Channel == "" {
		h.Channel = string(channel)
	}
	if h.Epoch == "" {
		h.Epoch = string(epoch)
	}
	if h.Type == "celebration" {
		h.eventID = strField(line[d:], "event_id")
	}
	return h, nil
}

func (c *client) send(v any) error {
	b, _ := json.Marshal(v)
	if c.polled {
		return c.write(websocket.TextMessage, b)
	}
	return c.conn.WriteMessage(websocket.TextMessage, b)
}

// connect dials, authenticates and subscribes (with since and epoch when it has them), and
// returns once both channels answered; the client then reads in its own goroutine.
func (e *env) connect(ctx context.Context, c *client) error {
	d := e.dialers[c.id%len(e.dialers)]
	t0 := time.Now()
	conn, _, err := d.DialContext(ctx, e.url, e.browserHeaders())
	if err != nil {
		e.st.dialErrs.Add(1)
		return err
	}
	c.dialed = time.Now()
	e.st.dial.add(c.dialed.Sub(t0))
	c.conn = conn
	c.leaving.Store(false)
	c.resumed, c.snapshot = 0, 0
	c.done = make(chan struct{})
	ready := make(chan error, 1)
	c.ready, c.answered, c.polled = ready, 0, false
	if e.poll != nil {
		// The server says nothing before auth, so nothing is left in the library's buffer.
		if err := e.poll.adopt(c, conn); err != nil {
			_ = conn.Close()
			return err
		}
		c.polled = true
	}
	if err := c.send(map[string]string{"type": "auth", "token": e.token}); err != nil {
		c.leave()
		return err
	}
	for i := range c.chans {
		m := map[string]any{"type": "subscribe", "channel": c.chans[i].name}
		if c.chans[i].have {
			m["since"] = c.chans[i].seq
			m["epoch"] = c.chans[i].epoch
		}
		if err := c.send(m); err != nil {
			c.leave()
			return err
		}
	}
	if !c.polled {
		go e.read(c)
	}
	select {
	case err := <-ready:
		if err != nil {
			c.leave() // a viewer that could not subscribe is not left open, uncounted
		}
		return err
	case <-time.After(60 * time.Second):
		c.leave()
		return errors.New("no answer to subscribe within 60 s")
	}
}

func (c *client) channel(name string) *chanState {
	for i := range c.chans {
		if c.chans[i].name == name {
			return &c.chans[i]
		}
	}
	return nil
}

// read reads frames until the socket closes.
func (e *env) read(c *client) {
	defer close(c.done)
	for {
		frame, err := c.readFrame()
		if err != nil {
			if !c.leaving.Load() {
				code := -1
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					code = ce.Code
				}
				e.st.closed(code)
			}
			c.signal(err)
			_ = c.conn.Close()
			return
		}
		now := time.Since(e.start)
		rx, rxOK := arrivedAt(c.conn.NetConn(), e.start)
		if rxOK && rx > now {
			rx = now // the kernel's clock and this one differ by a little
		}
		e.frame(c, frame, now, rx, rxOK)
	}
}

// frame handles one frame's messages, read at now (since the start) and, when rxOK, arrived at
// rx.
func (e *env) frame(c *client, frame []byte, now, rx time.Duration, rxOK bool) {
	st := e.st
	st.frames.Add(1)
	st.bytes.Add(int64(len(frame)))
	for len(frame) > 0 {
		line := frame
		if i := bytes.IndexByte(frame, '\n'); i >= 0 {
			line, frame = frame[:i], frame[i+1:]
		} else {
			frame = nil
		}
		if len(line) == 0 {
			continue
		}
		h, err := parse(line, &c.chans)
		if err != nil {
			c.signal(err)
			continue
		}
		st.msgs.Add(1)
		switch h.Type {
		case "welcome":
			c.welcomed = time.Now()
			st.auth.add(c.welcomed.Sub(c.dialed))
		case "pong":
		case "error":
			c.signal(fmt.Errorf("server error %s: %s", h.Code, h.Message))
		case "snapshot", "subscribed":
			ch := c.channel(h.Channel)
			if ch == nil {
				continue
			}
			ch.seq, ch.epoch, ch.have = h.Seq, h.Epoch, true
			if h.Type == "subscribed" {
				c.resumed++
				st.subscribed.Add(1)
			} else {
				c.snapshot++
				st.snapshots.Add(1)
				if h.Recovered != nil && !*h.Recovered {
					st.unrecovered.Add(1)
				}
			}
			c.answered++
			if c.answered == len(c.chans) {
				st.sub.add(time.Since(c.welcomed))
				c.signal(nil)
			}
		default:
			ch := c.channel(h.Channel)
			if ch == nil {
				continue
			}
			if ch.have && h.Seq != ch.seq+1 && h.Seq > ch.seq {
				st.gaps.Add(1)
				st.gapMsgs.Add(h.Seq - ch.seq - 1)
			}
			if h.Seq > ch.seq || h.Epoch != ch.epoch {
				ch.seq, ch.epoch, ch.have = h.Seq, h.Epoch, true
			}
			measured := e.measured.Load()
			switch h.Type {
			case "celebration":
				st.celebrations.Add(1)
				if t, ok := sentAt(h.eventID, e.start); ok {
					if measured {
						st.celebration.add(now - time.Duration(t))
						n, noticed := e.notices.noticedAt(h.eventID)
						if noticed {
							st.fanout.add(now - time.Duration(n))
						}
						if rxOK {
							st.celebrationRx.add(rx - time.Duration(t))
							if noticed {
								st.fanoutRx.add(rx - time.Duration(n))
							}
						}
					}
					c.pending = append(c.pending, t)
				} else {
					st.unknownWon.Add(1)
				}
			case "update":
				st.updates.Add(1)
				if h.Channel == c.chans[0].name {
					for _, t := range c.pending {
						if measured {
							st.update.add(now - time.Duration(t))
							if rxOK {
								st.updateRx.add(rx - time.Duration(t))
							}
						}
					}
					c.pending = c.pending[:0]
				}
			}
		}
	}
}

// readFrame reads the next frame into the client's own buffer (the library's ReadMessage
// allocates a new one per frame: garbage this program would pay for on the server's cores).
func (c *client) readFrame() ([]byte, error) {
	_, r, err := c.conn.NextReader()
	if err != nil {
		return nil, err
	}
	if c.buf == nil {
		c.buf = new(bytes.Buffer)
	}
	c.buf.Reset()
	if c.buf.Cap() > 256<<10 {
		c.buf = new(bytes.Buffer)
	}
	if _, err := c.buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return c.buf.Bytes(), nil
}

// leave closes the socket from the client side and waits for the reader to stop.
func (c *client) leave() {
	if c.conn == nil {
		return
	}
	if c.polled {
		c.leaveAdopted()
		return
	}
	c.leaving.Store(true)
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = c.conn.Close()
	<-c.done
}

// watchNotices listens, as a server node does, to the floor channel's Redis notices and times
// each celebration from its event's send: the part of the latency spent before the fan-out
// (Kafka, the consumer, the database, the publish).
func watchNotices(ctx context.Context, redisURL, notice string, start time.Time, seen *notices, st *stats) error {
	// The listener's connection is timed at arrival too (this program may wait for a core).
	var conn atomic.Pointer[net.Conn]
	dial := dialRx(&net.Dialer{Timeout: 5 * time.Second})
	rdb, err := redis.NewClient(redisURL, func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err == nil {
			conn.Store(&c)
		}
		return c, err
	})
	if err != nil {
		return err
	}
	ps := rdb.Subscribe(ctx, notice)
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		_ = rdb.Close()
		return err
	}
	msgs := ps.Channel(goredis.WithChannelSize(4096))
	go func() {
		defer func() { _ = ps.Close(); _ = rdb.Close() }()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				now := time.Since(start)
				if c := conn.Load(); c != nil {
					if rx, ok := arrivedAt(*c, start); ok && rx < now {
						now = rx
					}
				}
				line := []byte(m.Payload)
				if !bytes.HasPrefix(line, []byte(`{"type":"celebration"`)) {
					continue
				}
				id := string(strField(line, "event_id"))
				seen.noticed(id, int64(now))
				if t, ok := sentAt(id, start); ok {
					st.notice.add(now - time.Duration(t))
				}
			}
		}
	}()
	return nil
}
