package http_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// countingListener counts the writes made on the connections it accepts.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, writes: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// A leaderboard page of 50 rows (7–9 KB) leaves the server in one write: each write is a
// system call and, on a busy machine, a wake-up of the reader. fasthttp's default 4 KB writer
// sent it in two or three, and /healthz in one, which made the leaderboard's reads cost more than
// they need to against /healthz in the morning rush (docs/benchmarks.md).
func TestALeaderboardPageGoesOutInOneWrite(t *testing.T) {
	e := newEnv(t)
	c := e.mustCreateContest(contestBody("Sprint", time.Now().Add(-time.Hour)))
	scores := map[string]int64{}
	for i := range 60 {
		scores[fmt.Sprintf("rep-with-a-crm-sized-id-%03d", i)] = int64(1000 + i)
	}
	e.mustSeedBoard(c.ID, "all", scores)
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")

	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &countingListener{Listener: inner}
	stop := e.serveOn(ln)
	t.Cleanup(func() { _ = stop() })

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	t.Cleanup(client.CloseIdleConnections) // before the server stops (cleanups run last first)
	get := func() int {
		req, _ := http.NewRequest("GET", "http://"+inner.Addr().String()+"/api/v1/contests/"+c.ID+"/leaderboard?limit=50", nil)
		req.Header.Set("Authorization", "Bearer "+display.Token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("leaderboard: %d %v %s", res.StatusCode, err, body)
		}
		return len(body)
	}
	get() // the connection opened, the board's caches filled
	before := ln.writes.Load()
	size := get()
	if size < 5<<10 { // more than fasthttp's default buffer of 4 KB
		t.Fatalf("the page is %d bytes: too small to tell one write from several", size)
	}
	if n := ln.writes.Load() - before; n != 1 {
		t.Fatalf("a %d-byte leaderboard page took %d writes, want 1", size, n)
	}
}
