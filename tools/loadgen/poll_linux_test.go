//go:build linux

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// A viewer read by the poller: it authenticates and subscribes with masked frames, takes
// several messages per frame, a frame cut across reads and one longer than 125 bytes, answers
// a ping, counts a gap, and records the server's close code.
func TestPollerReadsFramesAnswersPingsAndSeesTheClose(t *testing.T) {
	start := time.Now()
	won := "lg-1-" + strconv.FormatInt(start.Add(5*time.Millisecond).UnixNano(), 10)
	got := make(chan []string, 1)
	pong := make(chan string, 1)
	var up websocket.Upgrader
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer func() { _ = conn.Close() }()
		var first []string
		for range 3 { // auth, two subscribes
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			first = append(first, string(b))
		}
		got <- first
		conn.SetPongHandler(func(s string) error { pong <- s; return nil })
		go func() { // the pong is read by the library's reader
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
		write := func(s string) { _ = conn.WriteMessage(websocket.TextMessage, []byte(s)) }
		write(`{"type":"welcome","role":"display"}` + "\n" +
			`{"type":"snapshot","channel":"contest:c1","seq":10,"epoch":"e1","recovered":true,"data":{}}`)
		write(`{"type":"snapshot","channel":"floor","seq":3,"epoch":"f1","data":{}}`)
		// A long update (over 125 bytes: a 16-bit length), then a celebration that skips seq 4.
		write(`{"type":"update","channel":"contest:c1","seq":11,"epoch":"e1","data":{"top":[` + strings.Repeat(`{"rep_id":"r"},`, 20) + `{}]}}` + "\n" +
			`{"type":"celebration","channel":"floor","seq":5,"epoch":"f1","data":{"event_id":"` + won + `"}}`)
		_ = conn.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(time.Second))
		select {
		case <-pong:
		case <-time.After(5 * time.Second):
			return
		}
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4408, "too slow"), time.Now().Add(time.Second))
		time.Sleep(200 * time.Millisecond)
	}))
	defer srv.Close()

	st := &stats{}
	e := &env{url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws", token: "secret", dialers: newDialers(1, false),
		notices: &notices{}, st: st, start: start}
	e.measured.Store(true)
	var err error
	if e.poll, err = newPoller(e); err != nil {
		t.Fatal(err)
	}
	c := &client{id: 0}
	c.chans[0].name, c.chans[1].name = "contest:c1", "floor"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.connect(ctx, c); err != nil {
		t.Fatal(err)
	}
	if !c.polled {
		t.Fatal("the socket was not handed to the poller")
	}
	select {
	case first := <-got:
		var auth map[string]string
		if err := json.Unmarshal([]byte(first[0]), &auth); err != nil || auth["type"] != "auth" || auth["token"] != "secret" {
			t.Fatalf("the first message: %s (%v)", first[0], err)
		}
		if !strings.Contains(first[1], `"contest:c1"`) || !strings.Contains(first[2], `"floor"`) {
			t.Fatalf("subscribes: %v", first[1:])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server got no auth and subscribes")
	}
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the socket did not end after the server's close")
	}
	if n := st.msgs.Load(); n != 5 {
		t.Errorf("messages: %d, want 5", n)
	}
	if st.celebrations.Load() != 1 || st.updates.Load() != 1 || st.celebration.n.Load() != 1 {
		t.Errorf("celebrations %d (timed %d), updates %d", st.celebrations.Load(), st.celebration.n.Load(), st.updates.Load())
	}
	if st.gaps.Load() != 1 || st.gapMsgs.Load() != 1 {
		t.Errorf("gaps %d (%d messages), want the one of seq 4", st.gaps.Load(), st.gapMsgs.Load())
	}
	if c.chans[0].seq != 11 || c.chans[1].seq != 5 || c.chans[1].epoch != "f1" {
		t.Errorf("channels: %+v", c.chans)
	}
	if closes := st.closeCounts(); closes["4408"] != 1 {
		t.Errorf("closes: %v, want one 4408", closes)
	}
}

// A frame cut anywhere across reads is put back together.
func TestPollerJoinsFramesCutAcrossReads(t *testing.T) {
	st := &stats{}
	e := &env{st: st, notices: &notices{}, start: time.Now()}
	p := &poller{e: e}
	c := &client{}
	c.chans[0].name, c.chans[1].name = "contest:c1", "floor"
	var wire []byte
	for i := 1; i <= 3; i++ {
		msg := `{"type":"update","channel":"contest:c1","seq":` + strconv.Itoa(i) + `,"epoch":"e","data":{"pad":"` + strings.Repeat("x", 100*i) + `"}}`
		wire = append(wire, 0x81)
		if len(msg) < 126 {
			wire = append(wire, byte(len(msg)))
		} else {
			wire = append(wire, 126, byte(len(msg)>>8), byte(len(msg)))
		}
		wire = append(wire, msg...)
	}
	for cut := 1; cut < len(wire); cut += 7 {
		before := st.msgs.Load()
		c.chans[0].have, c.chans[0].seq = false, 0
		for _, part := range [][]byte{wire[:cut], wire[cut:]} {
			if _, done := p.frames(c, append([]byte(nil), part...)); done {
				t.Fatalf("cut at %d: taken for a close", cut)
			}
		}
		if n := st.msgs.Load() - before; n != 3 || c.chans[0].seq != 3 || len(c.in) != 0 {
			t.Fatalf("cut at %d: %d messages, seq %d, %d bytes left", cut, n, c.chans[0].seq, len(c.in))
		}
	}
	if st.gaps.Load() != 0 {
		t.Fatalf("%d gaps in whole frames", st.gaps.Load())
	}
}
