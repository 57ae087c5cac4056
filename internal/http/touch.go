package http

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// A token's use is recorded (last_used_at) off the request path: the lookup that reads a token
// queues its id, and a writer, running while any are queued, writes what gathered every
// touchWait in one statement. A morning's first requests of thousands of reps each read their
// token; they no longer each wait for a write as well (docs/benchmarks.md, "Morning rush").
// What is queued when the server stops is written as it stops; a crash loses at most the last
// touchWait of uses, which a later use records again.
const touchWait = 200 * time.Millisecond

type touches struct {
	mu      sync.Mutex
	pending map[string]struct{}
	running bool // a writer is on its way
}

// touch queues the token's use, and starts the writer if none runs.
func (s *Server) touch(id string) {
	t := &s.touches
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == nil {
		t.pending = map[string]struct{}{}
	}
	t.pending[id] = struct{}{}
	if !t.running {
		t.running = true
		go s.writeTouches()
	}
}

// take is what is queued, emptied; a writer finding nothing (last) stops.
func (t *touches) take(last bool) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	ids := slices.Collect(maps.Keys(t.pending))
	t.pending = nil
	if len(ids) == 0 && last {
		t.running = false
	}
	return ids
}

func (s *Server) writeTouches() {
	for {
		time.Sleep(touchWait)
		ids := s.touches.take(true)
		if len(ids) == 0 {
			return
		}
		s.saveTouches(context.Background(), ids)
	}
}

// flushTouches writes what is queued now: before the token list is read, so it shows this
// replica's own uses at once, and as the server stops.
func (s *Server) flushTouches(ctx context.Context) {
	if ids := s.touches.take(false); len(ids) > 0 {
		s.saveTouches(ctx, ids)
	}
}

func (s *Server) saveTouches(ctx context.Context, ids []string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.TokenReader.TouchTokens(ctx, ids); err != nil {
		s.Logger.Warn("record tokens' use", "tokens", len(ids), "err", err)
	}
}
