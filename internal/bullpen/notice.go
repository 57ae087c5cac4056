package bullpen

// Notice is a message for a live channel (docs/api.md §4): "celebration" on "floor", "reward" on
// "rep:ana"... Data is its JSON payload.
type Notice struct {
	Channel string
	Type    string
	Data    any
}

// Channel names.
const ChannelFloor = "floor"

// RepChannel is a rep's own feed.
func RepChannel(repID string) string { return "rep:" + repID }

// ContestChannel is a contest's standings feed.
func ContestChannel(contestID string) string { return "contest:" + contestID }

// TargetsChannel is a team's attainment feed: its target sets ranked by percent.
func TargetsChannel(teamID string) string { return "targets:" + teamID }

// ScreenChannel is a screen's configuration, for the displays bound to it.
func ScreenChannel(screenID string) string { return "screen:" + screenID }

// Queued is a notice waiting in the outbox, its data already encoded.
type Queued struct {
	ID      int64
	Channel string
	Type    string
	Data    []byte
}
