// Package ingest decides what a batch of deal events does: which deals change, what each event
// contributes to which contest board, and how the standings move. It is the rules of docs/api.md
// §2 as plain Go; the storage adapters load its inputs and write its outputs in one transaction.
package ingest

import (
	"time"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/event"
	"bullpen/internal/target"
)

// Deal is the current state of a deal.
type Deal struct {
	DealID     string
	RepID      string
	TeamID     string
	Won        bool
	Amount     bullpen.Fixed
	Units      int64
	Product    string
	WonAt      time.Time
	WonEventID string
	Counted    []Counted // what the deal now contributes, board by board
}

// Counted is a deal's contribution to one board.
type Counted struct {
	ContestID string        `json:"c"`
	PeriodKey string        `json:"p"`
	Entrant   string        `json:"e"`
	Value     bullpen.Fixed `json:"v"`
}

// BoardKey names one row of one board: a contest's period and an entrant (a rep or a team).
type BoardKey struct {
	ContestID string
	PeriodKey string
	Entrant   string
}

// Move is how one standings row changes: by Delta, reached no earlier than ReachedAt.
type Move struct {
	Delta     bullpen.Fixed
	ReachedAt time.Time
}

// Contribution is what one event did to one board: the explainable trail behind a score.
type Contribution struct {
	EventID string
	RepID   string
	BoardKey
	Delta bullpen.Fixed
}

// Applied is an event as recorded: whether it changed anything and the team it was judged by.
type Applied struct {
	Event   event.Event
	TeamID  string
	Changed bool
}

// Input is what a batch needs to know before it can apply.
type Input struct {
	Events   []event.Event          // new events (never seen before), in apply order
	Deals    map[string]*Deal       // every known deal the events name
	Reps     map[string]bullpen.Rep // the directory entries of the events' reps
	Contests []*contest.Contest     // contests that may still count: not cancelled, not final
	Grace    time.Duration          // how long after a board ends late events still count
	Sets     []*target.Set          // target sets whose period the batch may count in
	// Achievements are the badge rules in force, read with the batch for the ledger's
	// achievements pass after Apply (Apply itself does not read them).
	Achievements achievement.Rules
}

// Output is what the batch changes.
type Output struct {
	Applied []Applied
	Deals   map[string]*Deal       // deals that changed, by id
	Tally                          // what each event contributed to which board, and how the rows move
	Reps    map[string]bullpen.Rep // directory entries that changed (latest value wins)
	Notices []bullpen.Notice       // the floor's celebrations of the deals won
	// Attainment is how the batch moves each rep's attainment row of a target set: one sum per
	// row, written with one statement, never a row per event.
	Attainment map[target.ValueKey]bullpen.Fixed
}

// Row is a standings row as the ledger holds it: absolute values, so whoever writes it into the
// projection converges. Version grows with every change of the row.
type Row struct {
	BoardKey
	Score     bullpen.Fixed
	ReachedAt time.Time
	Version   int64
	// FinishedAt is when the entrant finished a race (reached the target and kept it).
	FinishedAt *time.Time
}

// Result is what a committed batch changed, in absolute values for the projection.
type Result struct {
	Rows       []Row                      // standings rows the batch (or, for redeliveries, the original) touched
	Reps       []bullpen.Rep              // directory entries as they now stand
	Balances   map[string]bullpen.Balance // points balances of the reps whose ledger the batch touched (absolute, versioned)
	Attainment []target.Value             // attainment rows the batch (or, for redeliveries, the original) touched
	Applied    int                        // events recorded for the first time
	Duplicates int                        // events seen before (redelivered): recorded once, applied once
}
