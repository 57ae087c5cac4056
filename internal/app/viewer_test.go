package app_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"bullpen/internal/config"
	"bullpen/internal/testenv"
)

// fleet is the server replicas screens are spread over, as a load balancer sees them: a screen
// whose socket drops connects to the next one still up.
type fleet struct {
	addrs []string
	mu    sync.Mutex
	down  map[int]bool
}

// startFleet starts n bin/server processes on loopback addresses of their own and waits until
// each is ready.
func startFleet(t *testing.T, cfg config.Config, n int) (*fleet, []func()) {
	t.Helper()
	f := &fleet{down: map[int]bool{}}
	kills := make([]func(), n)
	for i := range n {
		addr := testenv.FreeAddr(t)
		cmd := startServerAt(t, cfg, addr)
		f.addrs = append(f.addrs, addr)
		kills[i] = func() { // SIGKILL: no 1001, no drain; the screens find out from their sockets
			f.mu.Lock()
			f.down[i] = true
			f.mu.Unlock()
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
		}
	}
	for _, addr := range f.addrs {
		waitReady(t, "http://"+addr, 30*time.Second)
	}
	return f, kills
}

func (f *fleet) base(i int) string { return "http://" + f.addrs[i] }

// after is the first server after i that is up.
func (f *fleet) after(i int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := 1; k <= len(f.addrs); k++ {
		if j := (i + k) % len(f.addrs); !f.down[j] {
			return j, nil
		}
	}
	return 0, errors.New("no server is up")
}

// viewer is a screen watching one channel, as a page does: it reads in a goroutine of its own and
// keeps every message of its channel; when its socket drops it connects to the next server up
// and subscribes again with since (the last seq it has) and its epoch.
type viewer struct {
	t       *testing.T
	servers *fleet
	channel string
	token   string
	done    chan struct{}

	mu      sync.Mutex
	ws      *socket
	on      int       // the server it is connected to
	start   message   // the snapshot of its first subscribe
	got     []message // the channel's messages after the snapshot, as they came
	moves   []move
	err     error // what stopped it early
	closing bool
}

// move is a socket lost and resumed on another server.
type move struct {
	from, to int
	since    int64
	away     time.Duration // from the read that failed to `subscribed`
	took     time.Duration // of it, from dialling the next server to `subscribed`
	replayed int           // messages in the frame of `subscribed`: from the history, missed while away
}

// watch connects a viewer to server on, subscribes it to channel and starts its reader.
func watch(t *testing.T, servers *fleet, on int, channel, token string) *viewer {
	t.Helper()
	v := &viewer{t: t, servers: servers, channel: channel, token: token, done: make(chan struct{})}
	first, err := v.connect(on, nil)
	if err != nil {
		t.Fatal(err)
	}
	v.start = first
	go v.run()
	t.Cleanup(v.stop)
	return v
}

// connect opens a socket on server on and subscribes: with since, it must resume (`subscribed`
// at since, in the same epoch); without, it returns the snapshot.
func (v *viewer) connect(on int, since *message) (message, error) {
	ws, err := openSocket(v.t, "ws://"+v.servers.addrs[on]+"/ws", v.servers.base(on))
	if err != nil {
		return message{}, err
	}
	v.mu.Lock()
	v.ws, v.on = ws, on
	closing := v.closing
	v.mu.Unlock()
	if closing {
		return message{}, errStopped
	}
	if err := ws.write(map[string]any{"type": "auth", "token": v.token}); err != nil {
		return message{}, err
	}
	if _, err := ws.expect("welcome"); err != nil {
		return message{}, err
	}
	sub := map[string]any{"type": "subscribe", "channel": v.channel}
	if since == nil {
		if err := ws.write(sub); err != nil {
			return message{}, err
		}
		return ws.expect("snapshot")
	}
	sub["since"], sub["epoch"] = since.Seq, since.Epoch
	if err := ws.write(sub); err != nil {
		return message{}, err
	}
	m, err := ws.expect("subscribed") // a snapshot here means the server could not resume: a gap
	if err == nil && (m.Seq != since.Seq || m.Epoch != since.Epoch) {
		err = fmt.Errorf("%s resumed at seq %d epoch %s, want %d %s", v.channel, m.Seq, m.Epoch, since.Seq, since.Epoch)
	}
	return m, err
}

func (v *viewer) run() {
	defer close(v.done)
	for {
		v.mu.Lock()
		ws := v.ws
		v.mu.Unlock()
		m, err := ws.read(5 * time.Minute)
		if err != nil {
			if err := v.resume(err); err != nil {
				v.fail(err)
				return
			}
			continue
		}
		if m.Channel != v.channel {
			continue // welcome, pong
		}
		if m.Type == "snapshot" || m.Type == "error" {
			v.fail(fmt.Errorf("a %s in the middle of %s after seq %d: %s", m.Type, v.channel, v.last().Seq, m.Data))
			return
		}
		v.mu.Lock()
		v.got = append(v.got, m)
		v.mu.Unlock()
	}
}

// resume moves to the next server up after the socket failed with cause, trying for 30 s. Like
// the pages (static/shared/live.js), it first waits 250 to 500 ms, so messages come meanwhile
// that it must get from the history.
func (v *viewer) resume(cause error) error {
	lost := time.Now()
	v.mu.Lock()
	closing, from := v.closing, v.on
	v.mu.Unlock()
	if closing {
		return errStopped
	}
	time.Sleep(250*time.Millisecond + rand.N(250*time.Millisecond))
	since := v.last()
	for {
		to, err := v.servers.after(from)
		if err == nil {
			dialled := time.Now()
			if _, err = v.connect(to, &since); err == nil {
				v.mu.Lock()
				v.moves = append(v.moves, move{from: from, to: to, since: since.Seq, away: time.Since(lost), took: time.Since(dialled),
					replayed: len(v.ws.pending)})
				v.mu.Unlock()
				return nil
			}
		}
		if errors.Is(err, errStopped) || time.Since(lost) > 30*time.Second {
			return fmt.Errorf("socket lost (%v), not resumed: %w", cause, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var errStopped = errors.New("stopped")

func (v *viewer) fail(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.closing && v.err == nil {
		v.err = err
	}
}

// last is the last message the viewer has: its latest, else its snapshot.
func (v *viewer) last() message {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.got) == 0 {
		return v.start
	}
	return v.got[len(v.got)-1]
}

// state returns what the viewer has so far.
func (v *viewer) state() (got []message, moves []move, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]message(nil), v.got...), append([]move(nil), v.moves...), v.err
}

func (v *viewer) stop() {
	v.mu.Lock()
	v.closing = true
	ws := v.ws
	v.mu.Unlock()
	_ = ws.c.Close()
	<-v.done
}

// sameStream checks that every viewer of one channel has the same stream up to seq last: each
// seq once, in order, from its snapshot's on, and each seq two viewers both have the same
// message to the byte. Snapshots may differ by what came before a viewer subscribed (the
// consumer that takes the merge lease at start sends every open contest once).
func sameStream(vs []*viewer, last int64) error {
	type seen struct {
		m      message
		viewer int
	}
	ref := map[int64]seen{}
	for i, v := range vs {
		got, _, err := v.state()
		if err != nil {
			return fmt.Errorf("viewer %d of %s: %w", i, v.channel, err)
		}
		for k, m := range got {
			if want := v.start.Seq + 1 + int64(k); m.Seq != want {
				return fmt.Errorf("viewer %d of %s: message %d has seq %d, want %d (a gap, a repeat or a reorder)", i, v.channel, k, m.Seq, want)
			}
		}
		if n := last - v.start.Seq; int64(len(got)) < n {
			return fmt.Errorf("viewer %d of %s: %d messages, want %d (to seq %d)", i, v.channel, len(got), n, last)
		} else {
			got = got[:max(n, 0)]
		}
		for _, m := range got {
			r, ok := ref[m.Seq]
			if !ok {
				ref[m.Seq] = seen{m, i}
				continue
			}
			if m.Type != r.m.Type || m.Epoch != r.m.Epoch || !bytes.Equal(m.Data, r.m.Data) {
				return fmt.Errorf("viewer %d of %s: seq %d is %s %s %s, viewer %d had %s %s %s", i, v.channel, m.Seq, m.Type, m.Epoch, m.Data, r.viewer, r.m.Type, r.m.Epoch, r.m.Data)
			}
		}
	}
	return nil
}
