package live

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// socketSet is the sockets open on this node: it pings them, and on shutdown it drains them.
type socketSet struct {
	metrics *metrics
	logger  *slog.Logger
	opt     Options

	mu       sync.RWMutex // guards sockets and draining
	sockets  map[*socket]struct{}
	draining bool
	wg       sync.WaitGroup // running sockets
}

func newSocketSet(m *metrics, logger *slog.Logger, opt Options) *socketSet {
	return &socketSet{metrics: m, logger: logger, opt: opt, sockets: map[*socket]struct{}{}}
}

// accepting reports whether new sockets are welcome (not while draining).
func (s *socketSet) accepting() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return !s.draining
}

// add registers a new socket, unless the node is draining.
func (s *socketSet) add(sock *socket) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining {
		return false
	}
	s.wg.Add(1)
	s.sockets[sock] = struct{}{}
	s.metrics.open.Inc()
	return true
}

// remove forgets a finished socket.
func (s *socketSet) remove(sock *socket) {
	s.mu.Lock()
	delete(s.sockets, sock)
	s.mu.Unlock()
	s.metrics.open.Dec()
	s.wg.Done()
}

// each calls fn for every open socket, under the set's read lock: fn must not block.
func (s *socketSet) each(fn func(*socket)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for sock := range s.sockets {
		fn(sock)
	}
}

// drainCutWait is how long a drain waits for the sockets it cut after DrainTimeout.
const drainCutWait = time.Second

// MaxDrain is the longest a drain with o takes (Live.Drain): its timeout, then the cut
// stragglers' wait. What a shutdown must allow for the sockets (internal/app's stop budget).
func MaxDrain(o Options) time.Duration { return o.withDefaults().DrainTimeout + drainCutWait }

// drain closes every socket with 1001 and waits for them (up to DrainTimeout). New sockets
// are refused from the start.
func (s *socketSet) drain() {
	s.mu.Lock()
	s.draining = true
	socks := make([]*socket, 0, len(s.sockets))
	for sock := range s.sockets {
		socks = append(socks, sock)
	}
	s.mu.Unlock()
	for _, sock := range socks {
		sock.close(closeGoingAway, "the server is shutting down")
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.opt.DrainTimeout):
		s.logger.Warn("sockets still open after the drain timeout; cutting them", "sockets", len(socks))
		for _, sock := range socks {
			_ = sock.raw.Close()
		}
		select {
		case <-done:
		case <-time.After(drainCutWait):
		}
	}
}

// pingLoop has each socket pinged every PingInterval, from one goroutine for all of them
// rather than a timer per socket.
func (s *socketSet) pingLoop(ctx context.Context) {
	tick := min(max(s.opt.PingInterval/4, 5*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	var socks []*socket
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.mu.RLock()
			for sock := range s.sockets {
				socks = append(socks, sock)
			}
			s.mu.RUnlock()
			for i, sock := range socks {
				sock.pingIfDue(now)
				socks[i] = nil
			}
			socks = socks[:0]
		}
	}
}
