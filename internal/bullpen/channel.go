package bullpen

// HistoryLength is the most messages a channel gives back to clients that come back with
// `since` (its store may hold a few more between trims, and never gives them).
const HistoryLength = 500

// ChannelState is where a live channel stands in the channel log: its epoch ("" if it has none
// yet), the seq of its last message, and its history (oldest first), each message as published.
type ChannelState struct {
	Epoch   string
	Seq     int64
	History []string
}

// Announcement is what a server node hears on its subscription to the channel log: a channel's
// new message, the confirmation that a channel is subscribed (again, after a reconnect that may
// have lost messages), or a token revoked or rotated on some node.
type Announcement struct {
	Kind    AnnouncementKind
	Channel string // the live channel ("floor", "contest:…"); empty for a revocation or rotation
	Payload string // the message as published; for a revocation or rotation, the token id
}

// AnnouncementKind says what an Announcement carries.
type AnnouncementKind uint8

const (
	// AnnouncedNothing is anything else the subscription hears (an unsubscribe confirmed).
	AnnouncedNothing AnnouncementKind = iota
	AnnouncedMessage
	AnnouncedSubscribed
	AnnouncedRevocation
	AnnouncedRotation
	// AnnouncedContestChange is a contest changed through the API on some node (Payload: its
	// id): every node drops what it cached of it.
	AnnouncedContestChange
)
