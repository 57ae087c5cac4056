//go:build unix

package live

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"bullpen/internal/bullpen"
	"bullpen/internal/live/wire"
)

// floorBench is the live path of one node without Redis or the WebSocket handshake: sockets on
// real loopback TCP connections, each subscribed to one channel, fed by the fan-out's own deliver
// and flushed by its own flusher code, their far ends read to the end by one goroutine each.
type floorBench struct {
	fo    *fanOut
	socks []*socket
	peers []net.Conn
	wg    sync.WaitGroup
	seq   int64
}

// With drain, a goroutine per socket reads its far end to the end; without, the test reads them.
func newFloorBench(tb testing.TB, sockets int, drain bool) *floorBench {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	l := &Live{opt: Options{}.withDefaults(), metrics: newMetrics(prometheus.NewRegistry())}
	reg := newRegistry(l.metrics, slog.Default())
	ch := &watchedChannel{name: "floor", ready: make(chan struct{}), subs: map[*subscription]struct{}{}}
	close(ch.ready)
	reg.channels["floor"] = ch
	fb := &floorBench{fo: newFanOut(reg, slog.Default())}
	for range sockets {
		server, client, err := loopbackPair(ln)
		if err != nil {
			tb.Fatal(err)
		}
		sock := &socket{l: l, raw: server, rc: rawConnOf(server), opt: l.opt, subs: map[string]*subscription{}}
		sub := &subscription{sock: sock, ch: wire.Channel{Name: "floor"}, epoch: "e"}
		sock.subs["floor"] = sub
		ch.subs[sub] = struct{}{}
		fb.socks, fb.peers = append(fb.socks, sock), append(fb.peers, server, client)
		if !drain {
			continue
		}
		fb.wg.Add(1)
		go func() {
			defer fb.wg.Done()
			_, _ = io.Copy(io.Discard, client)
		}()
	}
	tb.Cleanup(fb.close)
	return fb
}

func loopbackPair(ln net.Listener) (server, client net.Conn, err error) {
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			c = nil
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, nil, err
	}
	if server = <-accepted; server == nil {
		return nil, nil, errors.New("accept failed")
	}
	return server, client, nil
}

func (fb *floorBench) close() {
	for _, c := range fb.peers {
		_ = c.Close()
	}
	fb.wg.Wait()
}

// message is a celebration-sized message (about 250 bytes) with the next seq.
func (fb *floorBench) message() string {
	fb.seq++
	return fmt.Sprintf(`{"type":"celebration","channel":"floor","seq":%d,"epoch":"e","data":{"rep_id":"r-1234","rep_name":"Ana Example",`+
		`"team_id":"east","deal_id":"d-%08d","amount":"5250.00","currency":"USD","at":"2026-12-03T09:00:00Z","pad":"%s"}}`,
		fb.seq, fb.seq, "................................................................................")
}

// burst delivers msgs messages to every socket and flushes each socket once, as a burst of the
// fan-out does (its flushers' code, run here on the calling goroutine).
func (fb *floorBench) burst(f *flusher, msgs int) {
	for range msgs {
		fb.fo.add("floor", fb.message())
	}
	fb.fo.handOut()
	for _, sock := range fb.fo.burst {
		sock.flushNow(f)
	}
	clear(fb.fo.burst)
	fb.fo.burst = fb.fo.burst[:0]
}

// check fails when a socket was closed or left something unwritten: a benchmark that measured
// a socket that stopped taking messages would measure nothing.
func (fb *floorBench) check(tb testing.TB) {
	tb.Helper()
	for i, sock := range fb.socks {
		sock.mu.Lock()
		closing, queued, writing := sock.closing, len(sock.queue), sock.writing
		sock.mu.Unlock()
		if closing || queued > 0 || writing {
			tb.Fatalf("socket %d: closing %v, %d queued, writing %v", i, closing, queued, writing)
		}
	}
}

// BenchmarkFanOutFloor is one burst of three messages to every socket of a floor: deliver,
// frame and write, per delivered message (ns/op and allocs/op are per message delivered to one
// socket). The write system call is in it: on loopback it also runs the receiver's TCP side.
//
//	go test ./internal/live -run '^$' -bench FanOutFloor -benchmem -cpuprofile /tmp/fan.pprof
func BenchmarkFanOutFloor(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n, "sockets"), func(b *testing.B) {
			fb := newFloorBench(b, n, true)
			f := newFlusher()
			const perBurst = 3
			b.ReportAllocs()
			b.ResetTimer()
			for delivered := 0; delivered < b.N; delivered += n * perBurst {
				fb.burst(f, perBurst)
			}
			b.StopTimer()
			fb.check(b)
		})
	}
}

// The live path allocates nothing per socket: what a message costs in allocations is paid once
// for every socket watching it (the message's bytes, its epoch), and a burst's chunks once per
// flushChunk sockets.
func TestTheLivePathAllocatesAlmostNothingPerDeliveredMessage(t *testing.T) {
	const sockets, perBurst = 200, 3
	fb := newFloorBench(t, sockets, true)
	f := newFlusher()
	fb.burst(f, perBurst) // slices grow once
	allocs := testing.AllocsPerRun(50, func() { fb.burst(f, perBurst) })
	perMessage := allocs / (sockets * perBurst)
	fb.check(t)
	t.Logf("%.3f allocations per delivered message (%.0f per burst of %d messages to %d sockets)", perMessage, allocs, perBurst, sockets)
	// Measured: 7 allocations a burst (per message the test's own Sprintf and the message's
	// bytes, and the burst's run joined once), 0.012 per delivered message at 200 sockets; one
	// allocation per socket per burst would be 0.33, as the write's closure was (1.01 in all).
	if perMessage > 0.05 {
		t.Fatalf("%.3f allocations per delivered message (%.0f per burst of %d messages to %d sockets), want at most 0.05",
			perMessage, allocs, perBurst, sockets)
	}
	// Every message went out: one warm-up burst, AllocsPerRun's own, and 50.
	if got, want := counted(t, fb.socks[0].l.metrics.messages), float64(52*sockets*perBurst); got != want {
		t.Fatalf("%.0f messages written, want %.0f", got, want)
	}
}

func counted(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// A burst's messages of one channel go to every socket at the seq before them as one shared
// run, in one frame; a socket that has some of them already gets only the rest, in order.
func TestABurstIsOneSharedRunForSocketsThatAreWhereItStarts(t *testing.T) {
	fb := newFloorBench(t, 3, false)
	for _, sock := range fb.socks[1:] {
		sock.subs["floor"].seq = 0 // at the start: the run
	}
	fb.socks[0].subs["floor"].seq = 2 // has 1 and 2 already
	var want []string
	for range 4 {
		m := fb.message()
		want = append(want, m)
		fb.fo.add("floor", m)
	}
	fb.fo.handOut()
	q1, q2 := fb.socks[1].queue, fb.socks[2].queue
	if len(q1) != 1 || len(q2) != 1 || &q1[0][0] != &q2[0][0] {
		t.Fatalf("sockets at the run's start hold %d and %d entries, shared %v; want one shared run", len(q1), len(q2),
			len(q1) == 1 && len(q2) == 1 && &q1[0][0] == &q2[0][0])
	}
	if n := len(fb.socks[0].queue); n != 2 {
		t.Fatalf("the socket with 1 and 2 already holds %d entries, want 2 (3 and 4)", n)
	}
	f := newFlusher()
	for _, sock := range fb.fo.burst {
		sock.flushNow(f)
	}
	fb.check(t)
	if got := readFrames(t, fb.peers[1], 1); !slices.Equal(got[0], want[2:]) {
		t.Errorf("socket 0 got %q, want one frame of 3 and 4", got)
	}
	for i := 1; i < 3; i++ {
		if got := readFrames(t, fb.peers[2*i+1], 1); !slices.Equal(got[0], want) {
			t.Errorf("socket %d got %q, want one frame of 1 to 4", i, got)
		}
	}
	if got := counted(t, fb.socks[0].l.metrics.messages); got != 2+4+4 {
		t.Errorf("%v messages counted, want 10", got)
	}
}

// readFrames reads n unmasked text frames from c, each as its lines.
func readFrames(t *testing.T, c net.Conn, n int) [][]string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	var out [][]string
	for range n {
		var hdr [2]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			t.Fatal(err)
		}
		size := int(hdr[1])
		switch size {
		case 126:
			var ext [2]byte
			if _, err := io.ReadFull(r, ext[:]); err != nil {
				t.Fatal(err)
			}
			size = int(binary.BigEndian.Uint16(ext[:]))
		case 127:
			t.Fatal("a frame over 64 KB")
		}
		if hdr[0] != 0x81 {
			t.Fatalf("frame header %#x, want a final text frame", hdr[0])
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Split(string(body), "\n"))
	}
	return out
}

// scriptedLog announces what it is given, in order; Waiting says whether more is queued.
type scriptedLog struct {
	Subscription
	ch chan bullpen.Announcement
}

func (s *scriptedLog) Next() (bullpen.Announcement, bool) { a, ok := <-s.ch; return a, ok }
func (s *scriptedLog) Waiting() bool                      { return len(s.ch) > 0 }

type forgetful struct{ Tokens }

func (forgetful) ForgetToken(string) {}

// A burst that ends with a revocation (or a rotation) is written at once: its messages do not
// wait for the next announcement, which may be a long time coming.
func TestABurstEndingWithARevocationIsWrittenAtOnce(t *testing.T) {
	fb := newFloorBench(t, 1, false)
	fb.socks[0].subs["floor"].seq = 0
	l := fb.socks[0].l
	log := &scriptedLog{ch: make(chan bullpen.Announcement, 4)}
	m := fb.message()
	log.ch <- bullpen.Announcement{Kind: bullpen.AnnouncedMessage, Channel: "floor", Payload: m}
	log.ch <- bullpen.Announcement{Kind: bullpen.AnnouncedRevocation, Payload: "tok_elsewhere"}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); close(log.ch); fb.fo.wait() }()
	revoked := newRevocations(nil, forgetful{}, newSocketSet(l.metrics, slog.Default(), l.opt), slog.Default())
	fb.fo.start(ctx, log, revoked, 1)
	if got := readFrames(t, fb.peers[1], 1); !slices.Equal(got[0], []string{m}) {
		t.Fatalf("got %q, want the message", got)
	}
}
