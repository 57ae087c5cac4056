package redis

import (
	"context"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
)

// contestChangedChannel is where a node tells every other that a contest was changed through
// the API (its rules, its state, its boards recounted), so each drops what it cached of it.
func (s *Store) contestChangedChannel() string { return s.prefix + ":contest-changed" }

// PublishContestChange tells every node listening for board notices that contest id changed.
func (s *Store) PublishContestChange(ctx context.Context, id string) error {
	return s.tellNodes(ctx, s.contestChangedChannel(), "contest change", id)
}

// BoardNotices is a server node's connection for its caches of boards: it hears every message
// announced on any contest's channel (the consumer's "update" after a board changed, and the
// contest messages), whether or not a socket of the node watches that channel, and every
// contest change published by a node. It is the channel log's own announcements, heard by a
// pattern: no message is published twice.
type BoardNotices struct {
	ps      *goredis.PubSub
	in      <-chan any
	changed string
	open    string // what a contest notice channel's name has before the contest's id
}

// ListenBoards opens the node's board notices; go-redis reconnects it (and subscribes again,
// which Next reports as AnnouncedSubscribed) by itself when the connection breaks.
func (s *Store) ListenBoards(ctx context.Context) (*BoardNotices, error) {
	ps := s.rdb.Subscribe(ctx)
	open := s.channelTag(bullpen.ContestChannel(""))
	open = open[:len(open)-1] // "{p:ch:contest:" without the closing brace
	if err := ps.Subscribe(ctx, s.contestChangedChannel()); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("redis: listen to board notices: %w", err)
	}
	if err := ps.PSubscribe(ctx, globEscape(open)+"*}"+noticeSuffix); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("redis: listen to board notices: %w", err)
	}
	return &BoardNotices{ps: ps, in: ps.ChannelWithSubscriptions(goredis.WithChannelSize(1024)),
		changed: s.contestChangedChannel(), open: open}, nil
}

// Next waits for the next notice; false once the connection is closed. A contest channel's
// message is AnnouncedMessage with the live channel's name ("contest:…") and no payload; a
// contest change is AnnouncedContestChange with the contest's id; each subscription confirmed
// (two at the start, two again after a reconnect) is AnnouncedSubscribed.
func (b *BoardNotices) Next() (bullpen.Announcement, bool) {
	m, ok := <-b.in
	if !ok {
		return bullpen.Announcement{}, false
	}
	switch v := m.(type) {
	case *goredis.Message:
		if v.Channel == b.changed {
			return bullpen.Announcement{Kind: bullpen.AnnouncedContestChange, Payload: v.Payload}, true
		}
		if rest, ok := strings.CutPrefix(v.Channel, b.open); ok {
			if id, ok := strings.CutSuffix(rest, "}"+noticeSuffix); ok {
				return bullpen.Announcement{Kind: bullpen.AnnouncedMessage, Channel: bullpen.ContestChannel(id)}, true
			}
		}
	case *goredis.Subscription:
		if v.Kind == "subscribe" || v.Kind == "psubscribe" {
			return bullpen.Announcement{Kind: bullpen.AnnouncedSubscribed, Channel: v.Channel}, true
		}
	}
	return bullpen.Announcement{}, true
}

// Close closes the connection; Next then reports false.
func (b *BoardNotices) Close() error {
	if err := b.ps.Close(); err != nil {
		return fmt.Errorf("redis: close board notices: %w", err)
	}
	return nil
}

// globEscape escapes what a pattern subscription would read as a wildcard.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
