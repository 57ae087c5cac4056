// Package webhook is Bullpen's outbound webhooks as rules: which events an endpoint may ask
// for and in which format, how a message becomes the body a receiver gets (Bullpen's JSON, a
// Slack incoming webhook, a Microsoft Teams message card), how a request is signed (Standard
// Webhooks), the retry schedule, which addresses a request may never reach, and the deliverer
// that sends what the queue holds. The queue itself is the ledger's (internal/postgres); HTTP
// is the standard library's client, built here with the address guard in its dialer.
package webhook

import "time"

// Event types an endpoint subscribes to: the live messages of the same names (docs/api.md §4).
// Achievement goes from the floor's copy of a badge (Sends).
const (
	EventCelebration  = "celebration"
	EventIncentiveWon = "incentive.won"
	EventContestFinal = "contest.final"
	EventAchievement  = "achievement"
	EventReward       = "reward"
	// EventTest is what POST /webhooks/{id}/test sends; no endpoint subscribes to it.
	EventTest = "webhook.test"
)

// Events are the types an endpoint may subscribe to, in the order the API lists them.
var Events = []string{EventCelebration, EventIncentiveWon, EventContestFinal, EventAchievement, EventReward}

// IsEvent reports whether typ is a message type endpoints subscribe to.
func IsEvent(typ string) bool {
	for _, e := range Events {
		if e == typ {
			return true
		}
	}
	return false
}

// Sends reports whether a message of typ on channel goes to the endpoints subscribed to typ. A
// badge is announced twice, on the floor and on the rep's own channel with its points and the
// balance; a webhook (a team's chat, most often) takes the floor's, which is public.
func Sends(typ, channel string) bool {
	if typ == EventAchievement {
		return channel == "floor"
	}
	return IsEvent(typ)
}

// Formats of a request's body.
const (
	FormatBullpen = "bullpen" // {"id", "type", "channel", "created_at", "data"}
	FormatSlack   = "slack"   // a Slack incoming webhook's {"text", "blocks"}
	FormatTeams   = "teams"   // a Microsoft Teams (Office 365 connector) MessageCard
)

// Formats are the body formats, in the order the API lists them.
var Formats = []string{FormatBullpen, FormatSlack, FormatTeams}

// Endpoint is a receiver as the API shows it. Its secret is shown once, when it is made (and
// when it is rotated), never in a read.
type Endpoint struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	URL            string     `json:"url"`
	Events         []string   `json:"events"`
	Format         string     `json:"format"`
	Enabled        bool       `json:"enabled"`
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason *string    `json:"disabled_reason"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// What waits for it: deliveries not yet delivered or given up, and since when the oldest
	// of them has been failing (null when it is not).
	Pending      int64      `json:"pending"`
	FailingSince *time.Time `json:"failing_since"`
}

// Delivery is one message on its way to one endpoint, as the deliverer claims it.
type Delivery struct {
	Seq           int64  // its place in the endpoint's line
	ID            string // the webhook-id header: the same on every attempt
	EndpointID    string
	Type          string
	Channel       string
	Data          []byte // the live message's data, JSON
	CreatedAt     time.Time
	Attempts      int        // attempts before this one
	FirstFailedAt *time.Time // the first failed attempt, when one failed
	URL           string
	Secret        string
	Format        string
}

// Attempt is one try at a delivery, as the delivery log keeps it.
type Attempt struct {
	DeliveryID  string     `json:"delivery_id"`
	Type        string     `json:"type"`
	Attempt     int        `json:"attempt"`
	At          time.Time  `json:"at"`
	Status      *int       `json:"status"`     // the receiver's HTTP status; null without one
	LatencyMS   int        `json:"latency_ms"` // from sending to the answer (or the failure)
	Error       *string    `json:"error"`      // null when delivered
	NextAttempt *time.Time `json:"next_attempt_at"`
	GaveUp      bool       `json:"gave_up"`
}

// Outcome is what an attempt leaves behind: the log's row and what becomes of the delivery.
type Outcome struct {
	Attempt
	Delivered bool
	// DisableReason, when GaveUp, is why the endpoint is disabled.
	DisableReason string
}
