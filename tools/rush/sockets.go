package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
)

// socketPlan is one socket of the rush: its token and the two channels it watches.
type socketPlan struct {
	token    string
	channels [2]string
	screen   bool
}

// socketResult is how one socket's opening went: the time from the start of its dial to the
// welcome, and to the second snapshot (both channels drawn).
type socketResult struct {
	screen      bool
	toWelcome   time.Duration
	toSnapshots time.Duration
	err         error
}

// sockets holds the open sockets until the end of the rush.
type sockets struct {
	mu    sync.Mutex
	conns []*websocket.Conn
	wg    sync.WaitGroup
}

var dialer = &websocket.Dialer{NetDialContext: (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
	HandshakeTimeout: 30 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 1024}

// open dials, authenticates and subscribes, and returns once both channels sent their snapshot
// (or the socket failed); the socket stays open, read and discarded, until closeAll.
func (s *sockets) open(ctx context.Context, url string, p socketPlan) socketResult {
	r := socketResult{screen: p.screen}
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := dialer.DialContext(ctx, url, nil)
	if err != nil {
		r.err = fmt.Errorf("dial: %w", err)
		return r
	}
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	s.mu.Unlock()
	send := func(v any) error {
		b, _ := json.Marshal(v)
		return conn.WriteMessage(websocket.TextMessage, b)
	}
	err = send(map[string]string{"type": "auth", "token": p.token})
	for _, ch := range p.channels {
		err = errors.Join(err, send(map[string]string{"type": "subscribe", "channel": ch}))
	}
	if err != nil {
		r.err = fmt.Errorf("send: %w", err)
		return r
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	snapshots := map[string]bool{}
	for len(snapshots) < len(p.channels) {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			r.err = fmt.Errorf("read before the snapshots (%d of %d): %w", len(snapshots), len(p.channels), err)
			return r
		}
		for line := range bytes.SplitSeq(frame, []byte{'\n'}) {
			var m struct{ Type, Channel, Code, Message string }
			if len(line) == 0 || json.Unmarshal(line, &m) != nil {
				continue
			}
			switch m.Type {
			case "welcome":
				r.toWelcome = time.Since(t0)
			case "snapshot":
				snapshots[m.Channel] = true
			case "error":
				r.err = fmt.Errorf("error on %q: %s %s", m.Channel, m.Code, m.Message)
				return r
			}
		}
	}
	r.toSnapshots = time.Since(t0)
	_ = conn.SetReadDeadline(time.Time{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for { // read and dropped as it comes, without a copy: the load should cost the machine little
			_, r, err := conn.NextReader()
			if err == nil {
				_, err = io.Copy(io.Discard, r)
			}
			if err != nil {
				return
			}
		}
	}()
	return r
}

// closeAll closes every socket and waits for their readers.
func (s *sockets) closeAll() {
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		_ = c.Close()
	}
	s.wg.Wait()
}

// openSpread opens the sockets evenly over window, each in a goroutine of its own, and returns
// once every one has its snapshots or failed.
func (s *sockets) openSpread(ctx context.Context, url string, plans []socketPlan, window time.Duration) []socketResult {
	out := make([]socketResult, len(plans))
	var wg sync.WaitGroup
	start := time.Now()
	for i, p := range plans {
		at := start.Add(window * time.Duration(i) / time.Duration(len(plans)))
		if d := time.Until(at); d > 0 {
			select {
			case <-ctx.Done():
				out[i].err = ctx.Err()
				continue
			case <-time.After(d):
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.open(ctx, url, p)
		}()
	}
	wg.Wait()
	return out
}

// socketStats sums up the results of one kind of socket.
type socketStats struct {
	Opened, Failed                    int
	WelcomeP50ms, WelcomeP99ms        float64
	SnapshotP50ms, SnapshotP99ms, Max float64
	Errors                            []string `json:",omitempty"`
}

func summarize(rs []socketResult, screen bool) socketStats {
	var st socketStats
	var welcome, snap []time.Duration
	for _, r := range rs {
		if r.screen != screen {
			continue
		}
		if r.err != nil {
			st.Failed++
			if len(st.Errors) < 5 {
				st.Errors = append(st.Errors, r.err.Error())
			}
			continue
		}
		st.Opened++
		welcome = append(welcome, r.toWelcome)
		snap = append(snap, r.toSnapshots)
	}
	st.WelcomeP50ms, st.WelcomeP99ms = pct(welcome, 50), pct(welcome, 99)
	st.SnapshotP50ms, st.SnapshotP99ms, st.Max = pct(snap, 50), pct(snap, 99), pct(snap, 100)
	return st
}

// pct is the p-th percentile (nearest rank) in ms; -1 without samples.
func pct(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return -1
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	i := int(float64(len(ds))*p/100+0.5) - 1
	i = max(0, min(i, len(ds)-1))
	return float64(ds[i].Microseconds()) / 1000
}
