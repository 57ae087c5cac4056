package ingest

import (
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/event"
)

// Contribute is the contribution rule, the one both a batch and a recount of a contest follow:
// the row an event scores on in contest c and by how much, if it counts there. It counts when
// the rep takes part (judged by team, the rep's team when the event was applied), it occurred
// inside the window and arrived before its board became final. A won deal scores its value on
// the contest's metric (its amount and units now, for a recount); an activity its weight, on a
// points contest that weighs it. Other events score nothing by themselves.
func Contribute(c *contest.Contest, ev event.Event, team string, grace time.Duration) (BoardKey, bullpen.Fixed, bool) {
	var v bullpen.Fixed
	switch ev.Type {
	case event.DealWon:
		v = c.DealValue(ev.Amount, ev.Units)
	case event.Activity:
		w, ok := c.ActivityValue(ev.Activity)
		if !ok {
			return BoardKey{}, 0, false
		}
		v = w
	default:
		return BoardKey{}, 0, false
	}
	if !c.Takes(ev.RepID, team) {
		return BoardKey{}, 0, false
	}
	p, ok := c.Accepts(ev.OccurredAt, ev.ArrivedAt, grace)
	if !ok {
		return BoardKey{}, 0, false
	}
	entrant, ok := c.Entrant(ev.RepID, team)
	if !ok {
		return BoardKey{}, 0, false
	}
	return BoardKey{ContestID: c.ID, PeriodKey: p.Key, Entrant: entrant}, v, true
}

// Tally adds contributions up into the moves of the rows they touch.
type Tally struct {
	Contributions []Contribution
	Moves         map[BoardKey]Move
}

// Add records what event eventID of repID, which occurred at occurred, did to row k. reached_at
// is the latest occurred_at of the events that touched the row, so it does not depend on
// arrival order.
func (t *Tally) Add(eventID, repID string, k BoardKey, delta bullpen.Fixed, occurred time.Time) {
	if t.Moves == nil {
		t.Moves = map[BoardKey]Move{}
	}
	t.Contributions = append(t.Contributions, Contribution{EventID: eventID, RepID: repID, BoardKey: k, Delta: delta})
	m := t.Moves[k]
	m.Delta += delta
	m.ReachedAt = later(m.ReachedAt, occurred)
	t.Moves[k] = m
}

// Recount counts one contest again from what the ledger already holds, fed a won deal or an
// activity at a time so a store can stream them: a contest created mid-month with starts_at on
// the 1st shows the month so far. Each won deal counts with its current value, reached at its
// win; each activity with its weight.
type Recount struct {
	Tally
	// Counted is what each counted deal now contributes to the contest, by deal id, so a later
	// update or reversal of the deal moves this contest's board too.
	Counted map[string]Counted

	contest *contest.Contest
	grace   time.Duration
}

// NewRecount starts a recount of c.
func NewRecount(c *contest.Contest, grace time.Duration) *Recount {
	return &Recount{Tally: Tally{Moves: map[BoardKey]Move{}}, Counted: map[string]Counted{}, contest: c, grace: grace}
}

// Deal counts a won deal; arrived is when the event that won it arrived.
func (r *Recount) Deal(d *Deal, arrived time.Time) {
	ev := event.Event{EventID: d.WonEventID, Type: event.DealWon, RepID: d.RepID, DealID: d.DealID, Amount: d.Amount,
		Units: d.Units, OccurredAt: d.WonAt, ArrivedAt: arrived}
	k, v, ok := Contribute(r.contest, ev, d.TeamID, r.grace)
	if !ok {
		return
	}
	r.Add(ev.EventID, ev.RepID, k, v, ev.OccurredAt)
	r.Counted[d.DealID] = Counted{ContestID: k.ContestID, PeriodKey: k.PeriodKey, Entrant: k.Entrant, Value: v}
}

// Activity counts an activity event recorded for a rep of team.
func (r *Recount) Activity(ev event.Event, team string) {
	if k, v, ok := Contribute(r.contest, ev, team, r.grace); ok {
		r.Add(ev.EventID, ev.RepID, k, v, ev.OccurredAt)
	}
}
