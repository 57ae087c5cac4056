package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	nethttp "net/http"
	"os/exec"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"

	"bullpen/internal/config"
	"bullpen/internal/testenv"
)

// The server process is killed (SIGKILL: no 1001, no drain) while a wall display watches the
// floor; deals keep coming through the consumer. A server started again on the same address
// takes the display back where it was: it resumes with since/epoch and gets what it missed,
// once each, then the live messages; the REST API answers again.
func TestServerKillNineSocketsResumeAndNothingIsMissed(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("Server kill -9"))
	startConsumer(t, cfg)
	addr := testenv.FreeAddr(t)
	base := "http://" + addr
	srv := startServerAt(t, cfg, addr)
	waitReady(t, base, 30*time.Second)

	f := newWinFlow("sk-", 4)
	seen := map[string]int{} // deal -> celebrations received
	var floor []message
	ws := dialSocket(t, "ws://"+addr+"/ws", base)
	ws.send(map[string]any{"type": "auth", "token": cfg.AdminToken})
	ws.nextOf("welcome")
	ws.send(map[string]any{"type": "subscribe", "channel": "floor"})
	ws.nextOf("snapshot")
	produce(t, cfg, f.next(10)...)
	floor = append(floor, ws.celebrations(10, seen)...)
	last := floor[len(floor)-1]

	if err := srv.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	if m, err := ws.read(10 * time.Second); err == nil {
		t.Fatalf("the socket of a killed server gave %s", m.Type)
	}
	produce(t, cfg, f.next(10)...) // while no server runs: the consumer publishes them all the same
	testenv.Eventually(t, 20*time.Second, "the missed celebrations on the channel", func() bool {
		h := history(t, store, "floor")
		return len(h) > 0 && h[len(h)-1].Seq >= last.Seq+10
	})

	restarted := time.Now()
	startServerAt(t, cfg, addr)
	waitReady(t, base, 30*time.Second)
	readyIn := time.Since(restarted)
	ws = dialSocket(t, "ws://"+addr+"/ws", base)
	ws.send(map[string]any{"type": "auth", "token": cfg.AdminToken})
	ws.nextOf("welcome")
	ws.send(map[string]any{"type": "subscribe", "channel": "floor", "since": last.Seq, "epoch": last.Epoch})
	if sub := ws.nextOf("subscribed"); sub.Seq != last.Seq || sub.Epoch != last.Epoch {
		t.Fatalf("resumed at seq %d epoch %s, want %d %s", sub.Seq, sub.Epoch, last.Seq, last.Epoch)
	}
	floor = append(floor, ws.celebrations(10, seen)...)
	resumedIn := time.Since(restarted)
	produce(t, cfg, f.next(5)...)
	floor = append(floor, ws.celebrations(5, seen)...)

	for i, m := range floor {
		if m.Seq != floor[0].Seq+int64(i) || m.Epoch != floor[0].Epoch {
			t.Fatalf("floor message %d: seq %d epoch %s after seq %d epoch %s", i, m.Seq, m.Epoch, floor[0].Seq, floor[0].Epoch)
		}
	}
	ids, want := f.sent()
	missed, twice := 0, 0
	for _, id := range ids {
		switch n := seen["D-"+id]; {
		case n == 0:
			missed++
		case n > 1:
			twice += n - 1
		}
	}
	testenv.Eventually(t, 20*time.Second, "the leaderboard over REST", func() bool {
		code, got := apiScores(t, base, c.ID, cfg.AdminToken)
		return code == 200 && sameScores(want, got) == nil
	})
	fig := countFigures(t, db, store, c.ID, f)
	t.Logf("figures: %s; the display missed %d celebrations and got %d twice; server ready %v after its restart, display resumed %v after it",
		fig, missed, twice, readyIn.Round(10*time.Millisecond), resumedIn.Round(10*time.Millisecond))
	if missed != 0 || twice != 0 || fig.lost != 0 || fig.doubled != 0 {
		t.Fatalf("after the server's kill -9: %s, %d celebrations missed, %d twice", fig, missed, twice)
	}
}

// startServerAt starts a bin/server process listening on addr (testenv.FreeAddr); waitReady
// tells when it answers.
func startServerAt(t *testing.T, cfg config.Config, addr string) *exec.Cmd {
	t.Helper()
	return startProcess(t, binary(t, "server"), append(environ(cfg), "BULLPEN_HTTP_ADDR="+addr))
}

// apiScores reads a contest's leaderboard (its first 500 rows) through the REST API as rep ->
// score in hundredths.
func apiScores(t *testing.T, base, contestID, token string) (int, map[string]int64) {
	t.Helper()
	code, body := call(t, "GET", base+"/api/v1/contests/"+contestID+"/leaderboard?limit=500", token, nil)
	var st standings
	_ = json.Unmarshal(body, &st)
	return code, st.scores()
}

func waitReady(t *testing.T, base string, timeout time.Duration) {
	t.Helper()
	testenv.Eventually(t, timeout, base+"/readyz", func() bool {
		resp, err := nethttp.Get(base + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// socket is a page's WebSocket as the fault tests need it: lines in, JSON out.
type socket struct {
	t       *testing.T
	c       *fws.Conn
	pending []message
}

func dialSocket(t *testing.T, url, origin string) *socket {
	t.Helper()
	s, err := openSocket(t, url, origin)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openSocket is dialSocket for a goroutine other than the test's: it fails nothing itself.
func openSocket(t *testing.T, url, origin string) (*socket, error) {
	c, _, err := fws.DefaultDialer.Dial(url, nethttp.Header{"Origin": {origin}})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &socket{t: t, c: c}, nil
}

func (s *socket) send(v any) {
	s.t.Helper()
	if err := s.write(v); err != nil {
		s.t.Fatal(err)
	}
}

func (s *socket) write(v any) error {
	b, _ := json.Marshal(v)
	if err := s.c.WriteMessage(fws.TextMessage, b); err != nil {
		return fmt.Errorf("send %s: %w", b, err)
	}
	return nil
}

// read returns the next message (a frame may carry several, one a line).
func (s *socket) read(timeout time.Duration) (message, error) {
	for len(s.pending) == 0 {
		_ = s.c.SetReadDeadline(time.Now().Add(timeout))
		_, frame, err := s.c.ReadMessage()
		if err != nil {
			return message{}, err
		}
		for _, line := range bytes.Split(frame, []byte("\n")) {
			var m message
			if err := json.Unmarshal(line, &m); err != nil {
				s.t.Fatalf("a line that is not JSON: %q", line)
			}
			s.pending = append(s.pending, m)
		}
	}
	m := s.pending[0]
	s.pending = s.pending[1:]
	return m, nil
}

func (s *socket) nextOf(typ string) message {
	s.t.Helper()
	m, err := s.expect(typ)
	if err != nil {
		s.t.Fatal(err)
	}
	return m
}

// expect reads the next message, which must be a typ, within 10 s.
func (s *socket) expect(typ string) (message, error) {
	m, err := s.read(10 * time.Second)
	if err != nil || m.Type != typ {
		return m, fmt.Errorf("got %+v (%v), want a %s", m, err, typ)
	}
	return m, nil
}

// celebrations reads the floor until n celebrations came, counting each deal's in seen, and
// returns every floor message read.
func (s *socket) celebrations(n int, seen map[string]int) []message {
	s.t.Helper()
	var out []message
	for got := 0; got < n; {
		m, err := s.read(20 * time.Second)
		if err != nil {
			s.t.Fatalf("after %d of %d celebrations: %v", got, n, err)
		}
		if m.Channel != "floor" {
			continue
		}
		out = append(out, m)
		if m.Type == "celebration" {
			var d struct {
				DealID string `json:"deal_id"`
			}
			_ = json.Unmarshal(m.Data, &d)
			seen[d.DealID]++
			got++
		}
	}
	return out
}
