package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	nethttp "net/http"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"

	"bullpen/internal/bullpen"
	"bullpen/internal/live"
	"bullpen/internal/testenv"
)

// wsMsg is any server message; Raw is its line as sent.
type wsMsg struct {
	Type          string          `json:"type"`
	Channel       string          `json:"channel"`
	Seq           int64           `json:"seq"`
	Epoch         string          `json:"epoch"`
	Data          json.RawMessage `json:"data"`
	Recovered     *bool           `json:"recovered"`
	Code          string          `json:"code"`
	Message       string          `json:"message"`
	Role          string          `json:"role"`
	RepID         *string         `json:"rep_id"`
	ServerVersion string          `json:"server_version"`
	ServerTime    time.Time       `json:"server_time"`
	Currency      string          `json:"currency"`
	Raw           []byte          `json:"-"`
}

type wsClient struct {
	t       *testing.T
	c       *fws.Conn
	pending []wsMsg
}

func dialWS(t *testing.T, url string, header nethttp.Header) *wsClient {
	t.Helper()
	return dialWith(t, fws.DefaultDialer, url, header)
}

func dialWith(t *testing.T, d *fws.Dialer, url string, header nethttp.Header) *wsClient {
	t.Helper()
	c, res, err := d.Dial(url, header)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", url, err, status)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &wsClient{t: t, c: c}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.c.WriteMessage(fws.TextMessage, b); err != nil {
		c.t.Fatalf("send %s: %v", b, err)
	}
}

// read returns the next message or the error that ended the socket.
func (c *wsClient) read(timeout time.Duration) (wsMsg, error) {
	for len(c.pending) == 0 {
		_ = c.c.SetReadDeadline(time.Now().Add(timeout))
		_, frame, err := c.c.ReadMessage()
		if err != nil {
			return wsMsg{}, err
		}
		for _, line := range bytes.Split(frame, []byte("\n")) {
			var m wsMsg
			if err := json.Unmarshal(line, &m); err != nil {
				c.t.Fatalf("a line that is not JSON: %q", line)
			}
			m.Raw = line
			c.pending = append(c.pending, m)
		}
	}
	m := c.pending[0]
	c.pending = c.pending[1:]
	return m, nil
}

func (c *wsClient) next() wsMsg {
	c.t.Helper()
	m, err := c.read(5 * time.Second)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

// nextOf reads the next message and checks its type.
func (c *wsClient) nextOf(typ string) wsMsg {
	c.t.Helper()
	m := c.next()
	if m.Type != typ {
		c.t.Fatalf("got %s, want a %s", m.Raw, typ)
	}
	return m
}

// wantClose reads (and skips any data) until the server closes, and checks the code.
func (c *wsClient) wantClose(code int) {
	c.t.Helper()
	for {
		m, err := c.read(10 * time.Second)
		if err == nil {
			if m.Type == "welcome" || m.Type == "pong" || m.Channel != "" {
				continue
			}
			c.t.Fatalf("got %s while waiting for close %d", m.Raw, code)
		}
		var ce *fws.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("socket ended with %v, want close %d", err, code)
		}
		if ce.Code != code {
			c.t.Fatalf("closed with %d %q, want %d", ce.Code, ce.Text, code)
		}
		return
	}
}

func (c *wsClient) auth(token string) wsMsg {
	c.t.Helper()
	c.send(map[string]any{"type": "auth", "token": token})
	return c.nextOf("welcome")
}

func (c *wsClient) subscribe(channel string, extra ...any) {
	c.t.Helper()
	m := map[string]any{"type": "subscribe", "channel": channel}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	c.send(m)
}

// wantNothingMore proves nothing else is queued: a ping's pong is the very next message.
func (c *wsClient) wantNothingMore() {
	c.t.Helper()
	c.send(map[string]any{"type": "ping"})
	if m := c.next(); m.Type != "pong" {
		c.t.Fatalf("got %s, want nothing before the pong", m.Raw)
	}
}

func (e *env) publish(channel, typ string, data any) {
	e.t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.store.Publish(context.Background(), channel, typ, b); err != nil {
		e.t.Fatalf("publish: %v", err)
	}
}

// wantSeqs reads n channel messages and checks they carry seqs from..from+n-1 of one epoch.
func (c *wsClient) wantSeqs(channel string, from int64, n int) []wsMsg {
	c.t.Helper()
	out := make([]wsMsg, 0, n)
	for i := 0; i < n; i++ {
		m := c.next()
		if m.Channel != channel || m.Seq != from+int64(i) || m.Epoch == "" {
			c.t.Fatalf("message %d: %s, want %s seq %d", i, m.Raw, channel, from+int64(i))
		}
		if i > 0 && m.Epoch != out[0].Epoch {
			c.t.Fatalf("epoch changed within a run: %s", m.Raw)
		}
		out = append(out, m)
	}
	return out
}

func TestSocketAuthTimeoutClosesWith4401(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, func(d *live.Deps) { d.Options.AuthTimeout = 300 * time.Millisecond }, nil)
	c := dialWS(t, ws.url, nil)
	start := time.Now()
	c.wantClose(4401)
	if waited := time.Since(start); waited < 250*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("closed after %v, want about the auth timeout", waited)
	}
}

func TestSocketBadTokenAndNonAuthFirstMessageClose4401(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	bad := dialWS(t, ws.url, nil)
	bad.send(map[string]any{"type": "auth", "token": "bp_not-a-token"})
	bad.wantClose(4401)

	first := dialWS(t, ws.url, nil)
	first.send(map[string]any{"type": "subscribe", "channel": "floor"})
	first.wantClose(4401)

	ingest := e.mustMint(adminSecret, bullpen.RoleIngest, "")
	in := dialWS(t, ws.url, nil)
	in.send(map[string]any{"type": "auth", "token": ingest.Token})
	in.wantClose(4403)
}

func TestSocketWelcome(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "rep-7")
	c := dialWS(t, ws.url, nil)
	w := c.auth(rep.Token)
	if w.Role != "rep" || w.RepID == nil || *w.RepID != "rep-7" || w.ServerVersion != "test-version" || w.Currency != "USD" {
		t.Fatalf("welcome %s", w.Raw)
	}
	if d := time.Since(w.ServerTime); d < -time.Minute || d > time.Minute {
		t.Fatalf("server_time %v is not now", w.ServerTime)
	}
	admin := dialWS(t, ws.url, nil)
	if w := admin.auth(adminSecret); w.Role != "admin" || w.RepID != nil || !bytes.Contains(w.Raw, []byte(`"rep_id":null`)) {
		t.Fatalf("admin welcome %s", w.Raw)
	}
}

func TestSocketRevokedTokenClosed4403OnEveryNode(t *testing.T) {
	e := newEnv(t)
	a := startWS(t, e, nil, nil)
	b := startWS(t, e, nil, nil)
	e.srv = a.srv // the revocation goes through node a
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	onA, onB := dialWS(t, a.url, nil), dialWS(t, b.url, nil)
	onA.auth(display.Token)
	onB.auth(display.Token) // subscribed to nothing: node b listens for revocations anyway
	other := dialWS(t, b.url, nil)
	other.auth(e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token)

	e.do("DELETE", "/api/v1/tokens/"+display.ID, adminSecret, nil).Want(t, 204, nil)
	onA.wantClose(4403)
	onB.wantClose(4403)
	other.wantNothingMore()

	again := dialWS(t, b.url, nil)
	again.send(map[string]any{"type": "auth", "token": display.Token})
	again.wantClose(4401)
}

func TestSocketChannelAccess(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	rep := dialWS(t, ws.url, nil)
	rep.auth(e.mustMint(adminSecret, bullpen.RoleRep, "rep-1").Token)
	rep.subscribe("rep:rep-2")
	if m := rep.nextOf("error"); m.Code != bullpen.EPermission || m.Channel != "rep:rep-2" || m.Message == "" {
		t.Fatalf("another rep's channel: %s", m.Raw)
	}
	rep.subscribe("rep:rep-1")
	if m := rep.nextOf("snapshot"); m.Channel != "rep:rep-1" {
		t.Fatalf("own channel: %s", m.Raw)
	}

	display := dialWS(t, ws.url, nil)
	display.auth(e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token)
	display.subscribe("rep:rep-1")
	if m := display.nextOf("error"); m.Code != bullpen.EPermission {
		t.Fatalf("display on a rep channel: %s", m.Raw)
	}
	display.subscribe("contest:7c0a3d56-7d3f-4a7e-9a55-000000000000")
	if m := display.nextOf("error"); m.Code != bullpen.ENotFound || m.Channel != "contest:7c0a3d56-7d3f-4a7e-9a55-000000000000" {
		t.Fatalf("unknown contest: %s", m.Raw)
	}
	display.subscribe("weather")
	if m := display.nextOf("error"); m.Code != bullpen.EInvalid || m.Channel != "weather" {
		t.Fatalf("unknown channel: %s", m.Raw)
	}
	manager := dialWS(t, ws.url, nil)
	manager.auth(e.mustMint(adminSecret, bullpen.RoleManager, "").Token)
	manager.subscribe("rep:rep-2")
	manager.nextOf("snapshot")
}

func TestSocketProtocolErrorsPingAndLimits(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	c := dialWS(t, ws.url, nil)
	c.auth(adminSecret)
	c.send(map[string]any{"type": "dance"})
	if m := c.nextOf("error"); m.Code != bullpen.EInvalid {
		t.Fatalf("unknown type: %s", m.Raw)
	}
	if err := c.c.WriteMessage(fws.TextMessage, []byte(`{"type":`)); err != nil {
		t.Fatal(err)
	}
	if m := c.nextOf("error"); m.Code != bullpen.EInvalid {
		t.Fatalf("bad JSON: %s", m.Raw)
	}
	// Two messages in one frame, one per line, as the server sends them.
	if err := c.c.WriteMessage(fws.TextMessage, []byte("{\"type\":\"ping\"}\n{\"type\":\"ping\"}")); err != nil {
		t.Fatal(err)
	}
	c.nextOf("pong")
	c.nextOf("pong")

	big := dialWS(t, ws.url, nil)
	big.auth(adminSecret)
	msg := `{"type":"ping","pad":"` + strings.Repeat("x", 64<<10) + `"}`
	if err := big.c.WriteMessage(fws.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	big.wantClose(1009)

	fast := dialWS(t, ws.url, nil)
	fast.auth(adminSecret)
	for i := 0; i < 80; i++ {
		if err := fast.c.WriteMessage(fws.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
			break // the server may have closed already
		}
	}
	fast.wantClose(4429)
}

func TestSocketIdleClosedWith4408(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, func(d *live.Deps) {
		d.Options.IdleTimeout = 400 * time.Millisecond
		d.Options.PingInterval = 100 * time.Millisecond
	}, nil)
	idle := dialWS(t, ws.url, nil)
	idle.auth(adminSecret)
	// idle reads nothing, so its client answers none of the server's pings.
	time.Sleep(800 * time.Millisecond)
	idle.wantClose(4408)
}

func TestSocketKeptAliveByPongs(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, func(d *live.Deps) {
		d.Options.IdleTimeout = 400 * time.Millisecond
		d.Options.PingInterval = 100 * time.Millisecond
	}, nil)
	c := dialWS(t, ws.url, nil)
	c.auth(adminSecret)
	// A reader goroutine keeps answering pings (the client answers them while reading) for
	// three idle timeouts; then a ping of ours still gets its pong.
	got := make(chan wsMsg, 10)
	ended := make(chan error, 1)
	go func() {
		for {
			_, frame, err := c.c.ReadMessage()
			if err != nil {
				ended <- err
				return
			}
			var m wsMsg
			_ = json.Unmarshal(frame, &m)
			got <- m
		}
	}()
	select {
	case err := <-ended:
		t.Fatalf("closed although it answered pings: %v", err)
	case m := <-got:
		t.Fatalf("unexpected %+v", m)
	case <-time.After(1200 * time.Millisecond):
	}
	if err := c.c.WriteMessage(fws.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Type != "pong" {
			t.Fatalf("got %+v, want pong", m)
		}
	case err := <-ended:
		t.Fatalf("closed: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no pong")
	}
	_ = c.c.Close()
	<-ended
}

func TestSocketContestSnapshotThenLive(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	e.srv = ws.srv
	k := e.mustCreateContest(contestBody("Sprint", time.Now().Add(-time.Hour)))
	sevenReps(e, k.ID, "all")
	ch := "contest:" + k.ID
	for i := 1; i <= 3; i++ {
		e.publish(ch, "update", map[string]any{"n": i})
	}
	c := dialWS(t, ws.url, nil)
	c.auth(e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token)
	c.subscribe(ch)
	snap := c.nextOf("snapshot")
	if snap.Channel != ch || snap.Seq != 3 || snap.Epoch == "" || snap.Recovered != nil {
		t.Fatalf("snapshot %s", snap.Raw)
	}
	res := e.do("GET", "/api/v1/contests/"+k.ID+"/leaderboard?limit=50", adminSecret, nil)
	var want, got any
	res.Want(t, 200, &want)
	if err := json.Unmarshal(snap.Data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("snapshot data\n%s\nwant the leaderboard\n%s", snap.Data, res.Body)
	}
	for i := 4; i <= 8; i++ {
		e.publish(ch, "update", map[string]any{"n": i})
	}
	for i, m := range c.wantSeqs(ch, 4, 5) {
		if m.Type != "update" || m.Epoch != snap.Epoch || string(m.Data) != fmt.Sprintf(`{"n":%d}`, i+4) {
			t.Fatalf("live %s", m.Raw)
		}
	}
	c.wantNothingMore()
}

func TestSocketFloorSnapshotHoldsLatest20(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	for i := 1; i <= 30; i++ {
		e.publish("floor", "celebration", map[string]any{"deal_id": fmt.Sprint("d", i)})
	}
	c := dialWS(t, ws.url, nil)
	c.auth(e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token)
	c.subscribe("floor")
	snap := c.nextOf("snapshot")
	var data struct{ Items []wsMsg }
	if err := json.Unmarshal(snap.Data, &data); err != nil {
		t.Fatal(err)
	}
	if snap.Seq != 30 || len(data.Items) != 20 {
		t.Fatalf("snapshot seq %d with %d items, want 30 and 20", snap.Seq, len(data.Items))
	}
	for i, it := range data.Items {
		if it.Seq != int64(11+i) || it.Type != "celebration" || string(it.Data) != fmt.Sprintf(`{"deal_id":"d%d"}`, 11+i) {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	e.publish("floor", "celebration", map[string]any{"deal_id": "d31"})
	c.wantSeqs("floor", 31, 1)
}

func TestSocketRepSnapshotIsTheRepsPage(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	e.srv = ws.srv
	k := e.mustCreateContest(contestBody("Sprint", time.Now().Add(-time.Hour)))
	sevenReps(e, k.ID, "all")
	if _, err := e.db.Pool.Exec(context.Background(), `INSERT INTO reps (rep_id, name, team_id) VALUES ('r3', 'Rep Three', 'east')`); err != nil {
		t.Fatal(err)
	}
	token := e.mustMint(adminSecret, bullpen.RoleRep, "r3")
	c := dialWS(t, ws.url, nil)
	c.auth(token.Token)
	c.subscribe("rep:r3")
	snap := c.nextOf("snapshot")
	if snap.Seq != 0 || snap.Epoch != "" {
		t.Fatalf("a channel with no message yet: %s", snap.Raw)
	}
	var page map[string]any
	e.do("GET", "/api/v1/reps/r3", token.Token, nil).Want(t, 200, &page)
	var got map[string]any
	if err := json.Unmarshal(snap.Data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"rep_id": "r3", "points_balance": page["points_balance"], "standings": page["standings"],
		"attainment": page["attainment"]}
	if !reflect.DeepEqual(got, want) || len(page["standings"].([]any)) != 1 {
		t.Fatalf("rep snapshot %s, want %v", snap.Data, want)
	}
	// The first message of the channel brings its epoch.
	e.publish("rep:r3", "reward", map[string]any{"points": 100})
	if m := c.wantSeqs("rep:r3", 1, 1)[0]; m.Type != "reward" {
		t.Fatalf("reward %s", m.Raw)
	}
}

func TestSocketTwoReplicasSameSeqAndData(t *testing.T) {
	e := newEnv(t)
	a := startWS(t, e, nil, nil)
	b := startWS(t, e, nil, nil)
	k := e.mustCreateContest(contestBody("Sprint", time.Now().Add(-time.Hour)))
	sevenReps(e, k.ID, "all")
	ch := "contest:" + k.ID
	e.publish(ch, "update", map[string]any{"n": 1})
	token := e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token
	clients := []*wsClient{dialWS(t, a.url, nil), dialWS(t, a.url, nil), dialWS(t, a.url, nil), dialWS(t, b.url, nil)}
	var snaps []wsMsg
	for _, c := range clients {
		c.auth(token)
		c.subscribe(ch)
		snaps = append(snaps, c.nextOf("snapshot"))
	}
	for _, s := range snaps[1:] {
		if s.Seq != snaps[0].Seq || s.Epoch != snaps[0].Epoch || !bytes.Equal(s.Data, snaps[0].Data) {
			t.Fatalf("snapshots differ:\n%s\n%s", snaps[0].Raw, s.Raw)
		}
	}
	// One Redis subscription per node, however many sockets watch the channel there.
	notice := e.store.NoticeChannel(ch)
	if n := testenv.NumSub(context.Background(), t, e.store.Client(), notice); n != 2 {
		t.Fatalf("%d subscriptions to the channel, want one per node (2)", n)
	}
	for i := 2; i <= 6; i++ {
		e.publish(ch, "update", map[string]any{"n": i})
	}
	onA := clients[0].wantSeqs(ch, 2, 5)
	for _, c := range clients[1:] {
		for i, m := range c.wantSeqs(ch, 2, 5) {
			if !bytes.Equal(onA[i].Raw, m.Raw) {
				t.Fatalf("sockets differ:\n%s\n%s", onA[i].Raw, m.Raw)
			}
		}
	}
	for _, c := range clients {
		c.send(map[string]any{"type": "unsubscribe", "channel": ch})
		c.wantNothingMore()
	}
	testenv.Eventually(t, 5*time.Second, "the nodes to unsubscribe", func() bool {
		return testenv.NumSub(context.Background(), t, e.store.Client(), notice) == 0
	})
	e.publish(ch, "update", map[string]any{"n": 7})
	clients[0].wantNothingMore()
}

func TestSocketResumeAfterServerRestart(t *testing.T) {
	e := newEnv(t)
	a := startWS(t, e, nil, nil)
	token := e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token
	c := dialWS(t, a.url, nil)
	c.auth(token)
	c.subscribe("floor")
	if snap := c.nextOf("snapshot"); snap.Seq != 0 || snap.Epoch != "" {
		t.Fatalf("empty channel snapshot %s", snap.Raw)
	}
	for i := 1; i <= 3; i++ {
		e.publish("floor", "celebration", map[string]any{"n": i})
	}
	seen := c.wantSeqs("floor", 1, 3)
	epoch := seen[2].Epoch
	stopped := make(chan struct{})
	go func() { a.stop(); close(stopped) }()
	c.wantClose(1001)
	<-stopped
	for i := 4; i <= 7; i++ {
		e.publish("floor", "celebration", map[string]any{"n": i})
	}
	b := startWS(t, e, nil, nil)
	c = dialWS(t, b.url, nil)
	c.auth(token)
	c.subscribe("floor", "since", 3, "epoch", epoch)
	sub := c.nextOf("subscribed")
	if sub.Channel != "floor" || sub.Seq != 3 || sub.Epoch != epoch {
		t.Fatalf("subscribed %s", sub.Raw)
	}
	for i, m := range c.wantSeqs("floor", 4, 4) {
		if string(m.Data) != fmt.Sprintf(`{"n":%d}`, i+4) {
			t.Fatalf("missed message %s", m.Raw)
		}
	}
	c.wantNothingMore()
	e.publish("floor", "celebration", map[string]any{"n": 8})
	c.wantSeqs("floor", 8, 1)
}

func TestSocketResumeFallsBackToSnapshot(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	for i := 1; i <= 510; i++ {
		e.publish("floor", "celebration", map[string]any{"n": i})
	}
	st, err := e.store.Channel(context.Background(), "floor")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		since int64
		epoch any
	}{
		{"older than the history", 5, st.Epoch},
		{"another epoch", 505, "0123456789ab"},
		{"no epoch", 505, nil},
		{"ahead of the channel", 600, st.Epoch},
	}
	for _, tc := range cases {
		c := dialWS(t, ws.url, nil)
		c.auth(adminSecret)
		extra := []any{"since", tc.since}
		if tc.epoch != nil {
			extra = append(extra, "epoch", tc.epoch)
		}
		c.subscribe("floor", extra...)
		snap := c.nextOf("snapshot")
		if snap.Recovered == nil || *snap.Recovered || snap.Seq != 510 || snap.Epoch != st.Epoch {
			t.Fatalf("%s: %s", tc.name, snap.Raw)
		}
		c.wantNothingMore()
	}
	// The same epoch and a since the history still covers resumes.
	c := dialWS(t, ws.url, nil)
	c.auth(adminSecret)
	c.subscribe("floor", "since", 505, "epoch", st.Epoch)
	c.nextOf("subscribed")
	c.wantSeqs("floor", 506, 5)
	c.wantNothingMore()

	// No epoch but since 0 on a channel whose history starts at 1 resumes from the start.
	for i := 1; i <= 3; i++ {
		e.publish("rep:r1", "reward", map[string]any{"n": i})
	}
	r := dialWS(t, ws.url, nil)
	r.auth(adminSecret)
	r.subscribe("rep:r1", "since", 0)
	if m := r.nextOf("subscribed"); m.Seq != 0 {
		t.Fatalf("subscribed %s", m.Raw)
	}
	r.wantSeqs("rep:r1", 1, 3)
}

func TestSocketNewEpochGivesSnapshot(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	for i := 1; i <= 4; i++ {
		e.publish("floor", "celebration", map[string]any{"n": i})
	}
	live := dialWS(t, ws.url, nil)
	live.auth(adminSecret)
	live.subscribe("floor")
	old := live.nextOf("snapshot")
	// Redis loses the channel: its next message starts a new epoch.
	tag := strings.TrimSuffix(e.store.NoticeChannel("floor"), ":notice")
	if err := e.store.Client().Del(context.Background(), tag+":seq", tag+":epoch", tag+":hist").Err(); err != nil {
		t.Fatal(err)
	}
	e.publish("floor", "celebration", map[string]any{"n": "new"})
	// The socket that watched across the loss is told with a fresh snapshot.
	snap := live.nextOf("snapshot")
	if snap.Recovered == nil || *snap.Recovered || snap.Epoch == old.Epoch || snap.Epoch == "" || snap.Seq != 1 {
		t.Fatalf("snapshot after the loss %s (before %s)", snap.Raw, old.Raw)
	}
	live.wantNothingMore()
	// A client coming back with the old epoch too.
	c := dialWS(t, ws.url, nil)
	c.auth(adminSecret)
	c.subscribe("floor", "since", 4, "epoch", old.Epoch)
	again := c.nextOf("snapshot")
	if again.Recovered == nil || *again.Recovered || again.Epoch != snap.Epoch || again.Seq != 1 {
		t.Fatalf("resume across epochs %s", again.Raw)
	}
}

func TestSocketSubscribingWhilePublishingSeesNoGap(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	const total = 300
	clients := make([]*wsClient, 6)
	for i := range clients {
		clients[i] = dialWS(t, ws.url, nil)
		clients[i].auth(adminSecret)
	}
	published := make(chan error, 1)
	go func() {
		for i := 1; i <= total; i++ {
			if _, err := e.store.Publish(context.Background(), "floor", "celebration", []byte(fmt.Sprint(i))); err != nil {
				published <- err
				return
			}
		}
		published <- nil
	}()
	// Subscribe while the messages flow: each client gets a snapshot at some seq and then
	// every later message, none twice, none missing.
	for i, c := range clients {
		time.Sleep(time.Duration(i) * 2 * time.Millisecond)
		c.subscribe("floor")
	}
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	for i, c := range clients {
		snap := c.nextOf("snapshot")
		rest := total - int(snap.Seq)
		for j, m := range c.wantSeqs("floor", snap.Seq+1, rest) {
			if string(m.Data) != fmt.Sprint(snap.Seq+1+int64(j)) {
				t.Fatalf("client %d: %s", i, m.Raw)
			}
		}
		c.wantNothingMore()
	}
}

// smallBuffers listens with small kernel send buffers, so a client that does not read holds up
// its socket's writer after a few messages rather than megabytes.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// Both ways the flushers write (a chunk of sockets per io_uring call, where the kernel allows
// it, and a write(2) per socket) leave a slow client's rest to its writer alike.
func TestSocketSlowClientClosed4408OthersGetEverything(t *testing.T) {
	for _, plain := range []bool{false, true} {
		t.Run(fmt.Sprintf("plain writes %v", plain), func(t *testing.T) { slowClientClosed4408(t, plain) })
	}
}

func slowClientClosed4408(t *testing.T, plainWrites bool) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ws := startWS(t, e, func(d *live.Deps) { d.Options.QueueSize, d.Options.PlainWrites = 32, plainWrites }, smallBuffers{ln})
	e.srv = ws.srv
	token := e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token
	fast := dialWS(t, ws.url, nil)
	fast.auth(token)
	fast.subscribe("floor")
	fast.nextOf("snapshot")
	small := &fws.Dialer{HandshakeTimeout: 5 * time.Second, NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}).DialContext}
	slow := dialWith(t, small, ws.url, nil)
	slow.auth(token)
	slow.subscribe("floor")
	slow.nextOf("snapshot")

	const total = 400
	pad := strings.Repeat("x", 2000)
	got := make(chan int64, total)
	readErr := make(chan error, 1)
	go func() {
		for i := 0; i < total; i++ {
			m, err := fast.read(10 * time.Second)
			if err != nil {
				readErr <- err
				return
			}
			got <- m.Seq
		}
	}()
	var last int64
	for i := 1; i <= total; i++ {
		e.publish("floor", "celebration", map[string]any{"n": i, "pad": pad})
		// Keep the fast client within a few messages, so only the slow one can fall behind.
		for last < int64(i)-4 {
			select {
			case seq := <-got:
				if seq != last+1 {
					t.Fatalf("fast client got seq %d after %d", seq, last)
				}
				last = seq
			case err := <-readErr:
				t.Fatalf("fast client: %v (after seq %d)", err, last)
			}
		}
	}
	for last < total {
		select {
		case seq := <-got:
			if seq != last+1 {
				t.Fatalf("fast client got seq %d after %d", seq, last)
			}
			last = seq
		case err := <-readErr:
			t.Fatalf("fast client: %v (after seq %d)", err, last)
		}
	}
	// The slow client gets what was already on its way, in order, and then 4408.
	var slowLast int64
	for {
		m, err := slow.read(10 * time.Second)
		if err != nil {
			var ce *fws.CloseError
			if !errors.As(err, &ce) || ce.Code != 4408 {
				t.Fatalf("slow client ended with %v after seq %d, want close 4408", err, slowLast)
			}
			break
		}
		if m.Seq != slowLast+1 {
			t.Fatalf("slow client got seq %d after %d", m.Seq, slowLast)
		}
		slowLast = m.Seq
	}
	if slowLast >= total {
		t.Fatalf("the slow client got all %d messages: it was never behind", slowLast)
	}
	metrics := string(e.do("GET", "/metrics", "", nil).Body)
	if !strings.Contains(metrics, "bullpen_ws_slow_closes_total 1") {
		t.Fatalf("metrics without the slow close:\n%s", grepLines(metrics, "bullpen_ws_"))
	}
	fast.wantNothingMore()
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestSocketOriginAllowlist(t *testing.T) {
	e := newEnv(t)
	listed := startWS(t, e, func(d *live.Deps) { d.AllowedOrigins = []string{"https://floor.example.com"} }, nil)
	own := startWS(t, e, nil, nil)
	dialStatus := func(url, origin string) int {
		t.Helper()
		h := nethttp.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		c, res, err := fws.DefaultDialer.Dial(url, h)
		if err == nil {
			_ = c.Close()
			return 101
		}
		if res == nil {
			t.Fatalf("dial: %v", err)
		}
		return res.StatusCode
	}
	ownOrigin := "http://" + strings.TrimSuffix(strings.TrimPrefix(own.url, "ws://"), "/ws")
	for _, tc := range []struct {
		url, origin string
		want        int
	}{
		{listed.url, "", 101},
		{listed.url, "https://floor.example.com", 101},
		{listed.url, "https://evil.example.com", 403},
		{own.url, "", 101},
		{own.url, ownOrigin, 101},
		{own.url, "https://floor.example.com", 403},
	} {
		if got := dialStatus(tc.url, tc.origin); got != tc.want {
			t.Errorf("origin %q on %s: status %d, want %d", tc.origin, tc.url, got, tc.want)
		}
	}
}

func TestDisplaysListsConnectedDisplaysAcrossNodes(t *testing.T) {
	e := newEnv(t)
	a := startWS(t, e, nil, nil)
	b := startWS(t, e, nil, nil)
	e.srv = b.srv
	manager := e.mustMint(adminSecret, bullpen.RoleManager, "")
	display := e.mustMint(manager.Token, bullpen.RoleDisplay, "")
	c := dialWS(t, a.url, nil)
	c.auth(display.Token)
	c.subscribe("floor")
	c.nextOf("snapshot")
	type item struct {
		TokenID     string    `json:"token_id"`
		Name        string    `json:"name"`
		ConnectedAt time.Time `json:"connected_at"`
		LastSeen    time.Time `json:"last_seen"`
		Channels    []string  `json:"channels"`
	}
	var list struct{ Items []item }
	testenv.Eventually(t, 5*time.Second, "the display to be listed with its channel", func() bool {
		e.do("GET", "/api/v1/displays", manager.Token, nil).Want(t, 200, &list)
		return len(list.Items) == 1 && len(list.Items[0].Channels) == 1
	})
	it := list.Items[0]
	if it.TokenID != display.ID || it.Name != "display for tests" || it.Channels[0] != "floor" ||
		time.Since(it.ConnectedAt) > time.Minute || time.Since(it.LastSeen) > time.Minute {
		t.Fatalf("display %+v", it)
	}
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "r1")
	e.do("GET", "/api/v1/displays", rep.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	_ = c.c.Close()
	testenv.Eventually(t, 5*time.Second, "the display to leave the list", func() bool {
		e.do("GET", "/api/v1/displays", manager.Token, nil).Want(t, 200, &list)
		return len(list.Items) == 0
	})
}

func TestSocketShutdownClosesWith1001(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	c := dialWS(t, ws.url, nil)
	c.auth(adminSecret)
	c.subscribe("floor")
	c.nextOf("snapshot")
	stopped := make(chan struct{})
	go func() { ws.stop(); close(stopped) }()
	c.wantClose(1001)
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
}
