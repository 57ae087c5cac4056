package redis

import (
	"context"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
)

// revokedChannel is the pub/sub channel on which a node tells every other that a token was
// revoked, so each closes that token's sockets.
func (s *Store) revokedChannel() string { return s.prefix + ":revoked" }

// PublishRevocation tells every node listening that tokenID was revoked.
func (s *Store) PublishRevocation(ctx context.Context, tokenID string) error {
	return s.tellNodes(ctx, s.revokedChannel(), "revocation", tokenID)
}

// tellNodes publishes one node-to-node notice (a token revoked or rotated, a contest changed).
func (s *Store) tellNodes(ctx context.Context, channel, what, payload string) error {
	if err := s.rdb.Publish(ctx, channel, payload).Err(); err != nil {
		return fmt.Errorf("redis: publish %s: %w", what, err)
	}
	return nil
}

// rotatedChannel is where a node tells every other that a token has a new secret, so each
// checks anew the secret its sockets of that token hold.
func (s *Store) rotatedChannel() string { return s.prefix + ":rotated" }

// PublishRotation tells every node listening that tokenID was rotated.
func (s *Store) PublishRotation(ctx context.Context, tokenID string) error {
	return s.tellNodes(ctx, s.rotatedChannel(), "rotation", tokenID)
}

// Subscription is a server node's one pub/sub connection: the announcements of the channels
// its sockets watch, added and removed as they come and go, and every node's revocations and
// rotations. It
// speaks channel names ("floor"); the Redis names of their notices stay here.
type Subscription struct {
	ps      *goredis.PubSub
	in      <-chan any
	revoked string
	rotated string
	open    string // what a notice channel's name has before the channel's (see channelTag)
	store   *Store
}

// Listen opens the node's subscription. It hears revocations and rotations from the start; go-redis
// reconnects it (and subscribes again) by itself when the connection breaks.
func (s *Store) Listen(ctx context.Context) (*Subscription, error) {
	ps := s.rdb.Subscribe(ctx)
	if err := ps.Subscribe(ctx, s.revokedChannel(), s.rotatedChannel()); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("redis: listen: %w", err)
	}
	return &Subscription{ps: ps, in: ps.ChannelWithSubscriptions(goredis.WithChannelSize(4096)),
		revoked: s.revokedChannel(), rotated: s.rotatedChannel(), open: "{" + s.prefix + ":ch:", store: s}, nil
}

// Subscribe starts the announcements of a channel; Redis's confirmation comes through Next.
func (sub *Subscription) Subscribe(ctx context.Context, channel string) error {
	if err := sub.ps.Subscribe(ctx, sub.store.NoticeChannel(channel)); err != nil {
		return fmt.Errorf("redis: subscribe to %s: %w", channel, err)
	}
	return nil
}

// Unsubscribe stops the announcements of a channel.
func (sub *Subscription) Unsubscribe(ctx context.Context, channel string) error {
	if err := sub.ps.Unsubscribe(ctx, sub.store.NoticeChannel(channel)); err != nil {
		return fmt.Errorf("redis: unsubscribe from %s: %w", channel, err)
	}
	return nil
}

// Next waits for what the connection hears next; false once it is closed. A channel's name is
// cut out of its notice's, so an announcement costs no allocation here.
func (sub *Subscription) Next() (bullpen.Announcement, bool) {
	m, ok := <-sub.in
	if !ok {
		return bullpen.Announcement{}, false
	}
	switch v := m.(type) {
	case *goredis.Message:
		if v.Channel == sub.revoked {
			return bullpen.Announcement{Kind: bullpen.AnnouncedRevocation, Payload: v.Payload}, true
		}
		if v.Channel == sub.rotated {
			return bullpen.Announcement{Kind: bullpen.AnnouncedRotation, Payload: v.Payload}, true
		}
		if name, ok := sub.channelOf(v.Channel); ok {
			return bullpen.Announcement{Kind: bullpen.AnnouncedMessage, Channel: name, Payload: v.Payload}, true
		}
	case *goredis.Subscription:
		if name, ok := sub.channelOf(v.Channel); ok && v.Kind == "subscribe" {
			return bullpen.Announcement{Kind: bullpen.AnnouncedSubscribed, Channel: name}, true
		}
	}
	return bullpen.Announcement{}, true
}

// Waiting reports whether more is already waiting to be read, without waiting.
func (sub *Subscription) Waiting() bool { return len(sub.in) > 0 }

// Close closes the connection; Next then drains what was read and reports false.
func (sub *Subscription) Close() error {
	if err := sub.ps.Close(); err != nil {
		return fmt.Errorf("redis: close subscription: %w", err)
	}
	return nil
}

// channelOf is the channel whose notice channel this is ("{p:ch:floor}:notice" → "floor").
func (sub *Subscription) channelOf(notice string) (string, bool) {
	rest, ok := strings.CutPrefix(notice, sub.open)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, "}"+noticeSuffix)
}
