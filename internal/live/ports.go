package live

import (
	"context"
	"encoding/json"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// What the live subsystem needs from the rest of the server, each as narrow as its one use.
// The wiring hands it the concrete adapters: the HTTP server's token authentication and
// snapshot views, and the Redis channel log.

// Tokens authenticates the token a socket brings, by its secret's hash, with whatever cache the
// API keeps for it. The token's SecretUntil says when that secret stops working.
type Tokens interface {
	AuthenticateHash(ctx context.Context, hash []byte) (bullpen.Token, error)
	// ForgetToken drops what is cached of a token that a node revoked or rotated.
	ForgetToken(tokenID string)
}

// Snapshots reads the data of a contest's or a rep's snapshot: the same views the REST API
// serves (a contest's leaderboard, a rep's page), encoded the same way, so a socket and a
// page never disagree. A floor's snapshot comes from its history, here.
type Snapshots interface {
	// Contest reads a contest (bullpen.ENotFound if there is none).
	Contest(ctx context.Context, id string) (*contest.Contest, error)
	// ContestSnapshot is the top rows of the contest's current board.
	ContestSnapshot(ctx context.Context, k *contest.Contest, rows int) (json.RawMessage, error)
	// RepSnapshot is the rep's standings in every open contest and its points balance.
	RepSnapshot(ctx context.Context, repID string) (json.RawMessage, error)
	// TargetsSnapshot is a team's target sets of the current period, each as its attainment
	// board.
	TargetsSnapshot(ctx context.Context, teamID string) (json.RawMessage, error)
	// ScreenSnapshot is a screen's configuration as GET /screens/{id} shows it
	// (bullpen.ENotFound if there is none).
	ScreenSnapshot(ctx context.Context, id string) (json.RawMessage, error)
	// RepTeam is the team a rep is in now ("" when none, or for a rep not yet in the directory).
	RepTeam(ctx context.Context, repID string) (string, error)
}

// ChannelLog is where channel messages are numbered, kept and announced, shared by every
// node: live reads a channel's state from it and listens to its announcements.
type ChannelLog interface {
	// ChannelTail reads a channel's epoch and seq, the history after since (since < 0: none)
	// and at least the latest min messages.
	ChannelTail(ctx context.Context, channel string, since int64, min int) (bullpen.ChannelState, error)
	// Listen opens the node's one subscription; it hears revocations and rotations from the start.
	Listen(ctx context.Context) (Subscription, error)
	// PublishRevocation tells every node's subscription that a token was revoked.
	PublishRevocation(ctx context.Context, tokenID string) error
	// PublishRotation tells every node's subscription that a token has a new secret.
	PublishRotation(ctx context.Context, tokenID string) error
}

// Subscription is the node's subscription to the channel log. One goroutine reads it (Next);
// channels are added and removed from any.
type Subscription interface {
	// Subscribe asks for a channel's announcements; the log confirms with an
	// AnnouncedSubscribed, and again whenever it subscribed anew after losing the connection.
	Subscribe(ctx context.Context, channel string) error
	Unsubscribe(ctx context.Context, channel string) error
	// Next waits for the next announcement; false once the subscription is closed.
	Next() (bullpen.Announcement, bool)
	// Waiting reports whether another announcement is already waiting.
	Waiting() bool
	Close() error
}

// PresenceStore keeps the wall displays' presence where every node reads it, a field per
// display socket.
type PresenceStore interface {
	SetPresence(ctx context.Context, entries map[string][]byte) error
	DeletePresence(ctx context.Context, fields ...string) error
	Presence(ctx context.Context) (map[string]string, error)
}
