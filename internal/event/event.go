// Package event decodes and validates deal events (docs/api.md §2). The same rules serve the
// Kafka consumer and POST /events.
package event

import (
	"time"

	"bullpen/internal/bullpen"
)

// Type is the kind of a deal event.
type Type string

const (
	DealWon      Type = "deal.won"
	DealUpdated  Type = "deal.updated"
	DealReversed Type = "deal.reversed"
	Activity     Type = "activity"
)

// IsDeal reports whether t is one of the deal.* types.
func (t Type) IsDeal() bool { return t == DealWon || t == DealUpdated || t == DealReversed }

// Record is an event as written to the input topic: its JSON, unchanged, keyed by rep so that a
// rep's events keep their order on one partition.
type Record struct {
	Key   []byte
	Value []byte
	// SentBy is the token that posted the event to the API, carried beside the JSON (a
	// header), never in it: the sender cannot name someone else.
	SentBy string
}

// Event is a validated deal event.
type Event struct {
	EventID    string
	Type       Type
	OccurredAt time.Time
	RepID      string
	RepName    string // empty: not given
	TeamID     string // empty: not given
	HasName    bool
	HasTeam    bool
	DealID     string
	Amount     bullpen.Fixed
	HasAmount  bool
	Units      int64
	HasUnits   bool // deal.updated: an absent units means unchanged
	Product    string
	Activity   string

	// ArrivedAt is when the event reached Bullpen (the Kafka record's append time), set by
	// the reader, not by the sender: a board counts only events that arrived before it became
	// final.
	ArrivedAt time.Time
	// SentBy is the token that posted the event through the API (Record.SentBy), set by the
	// reader; empty for an event written to the topic by anyone else.
	SentBy string
}

// Stable dead-letter codes (the `error` header of deals.dlq).
const (
	CodeInvalidJSON         = "invalid_json"
	CodeMissingField        = "missing_field"
	CodeInvalidField        = "invalid_field"
	CodeInvalidAmount       = "invalid_amount"
	CodeUnsupportedCurrency = "unsupported_currency"
	CodeUnknownType         = "unknown_type"
)

// Error says why an event can never be applied.
type Error struct {
	Code   string // one of the Code constants
	Field  string // the offending field, if any
	Detail string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Code + ": " + e.Field + ": " + e.Detail
	}
	return e.Code + ": " + e.Detail
}

// APIError converts e to the API's invalid_argument error naming the field.
func (e *Error) APIError() *bullpen.Error {
	return &bullpen.Error{Code: bullpen.EInvalid, Field: e.Field, Message: e.Detail}
}
