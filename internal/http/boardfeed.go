package http

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"bullpen/internal/bullpen"
)

// BoardNotices tells every node when a contest's board or rules change (the Redis adapter):
// the consumer's messages on the contests' live channels, and the contest changes the nodes
// publish.
type BoardNotices interface {
	// ListenBoards opens the node's feed of board notices.
	ListenBoards(ctx context.Context) (BoardFeed, error)
	// PublishContestChange tells every node's feed that a contest changed.
	PublishContestChange(ctx context.Context, id string) error
}

// BoardFeed is the node's feed: a message on a contest's live channel (AnnouncedMessage with
// the channel's name), a contest changed on some node (AnnouncedContestChange with its id),
// a subscription confirmed (AnnouncedSubscribed; again after a reconnect, which may have lost
// notices). One goroutine reads it.
type BoardFeed interface {
	Next() (bullpen.Announcement, bool)
	Close() error
}

// feedSubscriptions is how many confirmations the feed sends when it (re)subscribes: the
// contest channels' pattern and the contest changes.
const feedSubscriptions = 2

// boardFeed is the node's one reader of its BoardFeed, opened when the server starts serving
// (or by the first leaderboard read, for a server that is not served) and closed on shutdown.
// Pages are kept only while it is heard (heard): a page kept while no notice could drop it
// would be stale for all of boardMaxAge.
type boardFeed struct {
	heard atomic.Bool

	mu      sync.Mutex
	feed    BoardFeed
	tried   time.Time // the last failed open: the next waits a second
	stopped bool
}

// boardsHeard reports whether this node hears board notices, opening its feed on first use.
func (s *Server) boardsHeard() bool {
	if s.BoardNotices == nil {
		return false
	}
	if s.feed.heard.Load() {
		return true
	}
	s.openBoardFeed()
	return false
}

func (s *Server) openBoardFeed() {
	if s.BoardNotices == nil {
		return
	}
	f := &s.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if f.stopped || f.feed != nil || now.Sub(f.tried) < time.Second {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	feed, err := s.BoardNotices.ListenBoards(ctx)
	if err != nil {
		f.tried = now
		s.Logger.Warn("board notices not heard: leaderboard pages are not cached", "err", err)
		return
	}
	f.feed = feed
	go s.readBoardFeed(feed)
}

// readBoardFeed drops what each notice makes stale, until the feed closes.
func (s *Server) readBoardFeed(feed BoardFeed) {
	confirmed := 0
	for {
		a, ok := feed.Next()
		if !ok {
			break
		}
		switch a.Kind {
		case bullpen.AnnouncedMessage:
			if id, ok := strings.CutPrefix(a.Channel, bullpen.ContestChannel("")); ok {
				s.boards.drop(id)
			}
		case bullpen.AnnouncedContestChange:
			s.forgetContestHere(a.Payload)
		case bullpen.AnnouncedSubscribed:
			if confirmed++; confirmed == feedSubscriptions {
				s.feed.heard.Store(true)
			} else if confirmed > feedSubscriptions {
				s.boards.dropAll() // subscribed again: notices may have been lost meanwhile
			}
		}
	}
	s.feed.heard.Store(false)
	s.boards.dropAll()
	s.feed.mu.Lock()
	s.feed.feed = nil
	s.feed.mu.Unlock()
}

// closeBoardFeed stops the feed for good (shutdown).
func (s *Server) closeBoardFeed() {
	f := &s.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = true
	if f.feed != nil {
		if err := f.feed.Close(); err != nil {
			s.Logger.Warn("close board notices", "err", err)
		}
	}
}

// publishContestChange tells the other nodes (and this one) that a contest changed.
func (s *Server) publishContestChange(ctx context.Context, id string) {
	if s.BoardNotices == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := s.BoardNotices.PublishContestChange(ctx, id); err != nil {
		s.Logger.Warn("contest change not told to the other nodes: they see it within their cache's age", "contest", id, "err", err)
	}
}
