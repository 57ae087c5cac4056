package http

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"golang.org/x/sync/errgroup"
)

// Serve serves on ln until ctx is done, then stops accepting and waits up to timeout for the
// requests in flight.
func (s *Server) Serve(ctx context.Context, ln net.Listener, timeout time.Duration) error {
	// Hear the other replicas' contest changes from the start, not from the first leaderboard.
	s.openBoardFeed()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := s.app.Listener(ln); err != nil {
			return fmt.Errorf("serve http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		// Sockets first: they are told 1001 at once and reconnect to another replica, instead
		// of waiting for the HTTP shutdown (which also waits up to 5 s for connections a
		// browser opened ahead of use and sent nothing on).
		if s.sockets != nil {
			s.sockets.Drain()
		}
		s.closeBoardFeed()
		err := s.app.ShutdownWithTimeout(timeout)
		s.flushTouches(ctx)
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("shut down http: %w", err)
		}
		return nil
	})
	return g.Wait()
}
