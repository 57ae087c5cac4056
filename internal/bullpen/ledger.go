package bullpen

import (
	"strings"
	"time"
)

// LedgerReason says why points entered or left a rep's balance (docs/api.md §3).
type LedgerReason string

const (
	ReasonIncentive  LedgerReason = "incentive"  // a spot incentive's reward
	ReasonPrize      LedgerReason = "prize"      // a contest prize, paid when the board is final
	ReasonAdjustment LedgerReason = "adjustment" // a manual entry made through the API
	ReasonClawback   LedgerReason = "clawback"   // an incentive reward taken back (negative)
	// ReasonAchievement is a badge's points (AchievementID says which), or, negative, the
	// points of a badge revoked.
	ReasonAchievement LedgerReason = "achievement"
)

// LedgerEntry is one row of the points ledger: whole points, never part of a contest score,
// traceable to the event, incentive, contest or person that made it.
type LedgerEntry struct {
	ID          int64        `json:"id"`
	RepID       string       `json:"rep_id"`
	Points      int64        `json:"points"`
	Reason      LedgerReason `json:"reason"`
	EventID     string       `json:"event_id,omitempty"`
	DealID      string       `json:"deal_id,omitempty"`
	IncentiveID string       `json:"incentive_id,omitempty"`
	ContestID   string       `json:"contest_id,omitempty"`
	PeriodKey   string       `json:"period_key,omitempty"` // the period of a periodic contest that paid a prize
	// AchievementID is the badge (GET /reps/{id}/achievements) an achievement entry paid or took back.
	AchievementID int64     `json:"achievement_id,omitempty"`
	By            string    `json:"by"` // a token id, or SystemActor
	Note          string    `json:"note"`
	CreatedAt     time.Time `json:"created_at"`
	// EventSentBy is the token that posted EventID through the API; empty for an event that
	// came straight from Kafka. Filled where the ledger is read (GET /reps/{id}/ledger).
	EventSentBy string `json:"event_sent_by,omitempty"`
}

// Balance is a rep's points balance as of a version: Version is the largest id of the rep's
// ledger entries (0 when it has none). Every ledger writer holds the rep's balance lock until
// it commits, so a rep's ids are assigned in commit order and a larger version is always the
// newer balance; projections keep the largest they are given.
type Balance struct {
	Points  int64
	Version int64
}

const (
	// MaxAdjustment bounds one manual entry either way: far above any real award, far below
	// where sums could overflow.
	MaxAdjustment = 1_000_000_000
	// MaxNoteLength is the longest note of a manual entry, in characters.
	MaxNoteLength = 500
)

// ValidateAdjustment checks a manual ledger entry: a non-zero whole number of points within
// ±MaxAdjustment and a note a person can read.
func ValidateAdjustment(points int64, note string) error {
	switch {
	case points == 0:
		return Invalid("points", "points must not be 0")
	case points > MaxAdjustment || points < -MaxAdjustment:
		return Invalid("points", "points must be within ±%d", MaxAdjustment)
	case strings.TrimSpace(note) == "":
		return Invalid("note", "note is required: say why the points change")
	}
	return CheckText("note", note, true, MaxNoteLength)
}
