package incentive

import (
	"slices"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
	"bullpen/internal/message"
)

// Entry is a qualifying win recorded for an incentive: the event, its rep and its deal.
type Entry struct {
	EventID string
	RepID   string
	DealID  string
}

// State is an incentive as a batch finds it. The store loads it with the incentive locked, so
// batches decide one incentive's winners one after the other.
type State struct {
	Incentive *Incentive
	// Holders are the entries that hold a place (won, not clawed back), in entry order.
	Holders []Entry
	// Waiting are, in entry order, the first MaxWinners of: each rep's earliest entry that has
	// never won and whose deal is still won by it as the batch leaves the deals. A freed place
	// goes to the first of them whose rep holds none, and fewer than MaxWinners reps hold one
	// when a place is freed, so MaxWinners are enough. Only needed when FreesPlace says so.
	Waiting []Entry
}

// FreesPlace reports whether a batch may free a place of the open incentive and pass it on: it
// reverses a deal that holds a place or wins one in the batch. Only then does the rule need
// the incentive's Waiting entries.
func (s State) FreesPlace(applied []ingest.Applied, now time.Time) bool {
	if s.Incentive.StatusAt(now) != StatusOpen {
		return false
	}
	holding := map[string]bool{}
	for _, h := range s.Holders {
		holding[h.DealID] = true
	}
	for _, a := range applied {
		switch {
		case !a.Changed:
		case a.Event.Type == event.DealWon:
			holding[a.Event.DealID] = true
		case a.Event.Type == event.DealReversed && holding[a.Event.DealID]:
			return true
		}
	}
	return false
}

// Touched reports whether a batch can change anything of the incentive: some new win
// qualifies, or some deal is reversed.
func (s State) Touched(applied []ingest.Applied, now time.Time) bool {
	for _, a := range applied {
		switch {
		case !a.Changed:
		case a.Event.Type == event.DealReversed:
			return true
		case a.Event.Type == event.DealWon && s.Incentive.Qualifies(a.Event, a.TeamID, now):
			return true
		}
	}
	return false
}

// Input is what the rule runs a batch against.
type Input struct {
	Applied    []ingest.Applied        // the batch's events in apply order, as ingest recorded them
	Deals      map[string]*ingest.Deal // the deals the batch won, as the batch leaves them
	Incentives []State                 // the incentives the batch may touch, in id order
	Now        time.Time               // when the batch is applied
}

// Kind is what a Change does.
type Kind int

const (
	Entered    Kind = iota + 1 // a qualifying win is recorded
	Won                        // an entry takes a place: its rep is paid the reward
	ClawedBack                 // a winning deal was reversed: the reward is taken back
)

// Change is one step a batch takes on an incentive; a store writes them in order.
type Change struct {
	Kind      Kind
	Incentive *Incentive
	Entry     Entry
}

// Points is what the change adds to the rep's balance.
func (c Change) Points() int64 {
	switch c.Kind {
	case Won:
		return c.Incentive.RewardPoints
	case ClawedBack:
		return -c.Incentive.RewardPoints
	}
	return 0
}

// Note explains the change's ledger entry to the rep.
func (c Change) Note() string {
	switch c.Kind {
	case Won:
		return c.Incentive.RewardNote(c.Entry.DealID)
	case ClawedBack:
		return c.Incentive.ClawbackNote(c.Entry.DealID)
	}
	return ""
}

// Reason is the change's ledger reason.
func (c Change) Reason() bullpen.LedgerReason {
	if c.Kind == ClawedBack {
		return bullpen.ReasonClawback
	}
	return bullpen.ReasonIncentive
}

// Outcome is what a batch does to the incentives.
type Outcome struct {
	Changes []Change
}

// Decide runs a batch's new wins and reversals against the incentives, event by event: a
// qualifying win is recorded as an entry and, while places remain and its rep holds none,
// wins; a reversal of a winning deal claws the reward back and, while the incentive is open,
// gives the place to the earliest entry of a rep holding none whose deal is still won, if
// there is one, else leaves it to the next qualifying win. A rep whose reward was clawed back
// may win again with another deal.
func Decide(in Input) Outcome {
	var out Outcome
	books := make([]*book, len(in.Incentives))
	for i, s := range in.Incentives {
		books[i] = &book{inc: s.Incentive, holders: slices.Clone(s.Holders), waiting: slices.Clone(s.Waiting),
			used: make([]bool, len(s.Waiting)), in: &in, out: &out}
	}
	for _, a := range in.Applied {
		if !a.Changed {
			continue
		}
		for _, b := range books {
			switch a.Event.Type {
			case event.DealWon:
				if b.inc.Qualifies(a.Event, a.TeamID, in.Now) {
					b.enter(Entry{EventID: a.Event.EventID, RepID: a.Event.RepID, DealID: a.Event.DealID})
				}
			case event.DealReversed:
				b.reverse(a.Event.DealID)
			}
		}
	}
	return out
}

// book follows one incentive through a batch.
type book struct {
	inc     *Incentive
	holders []Entry
	waiting []Entry // loaded ones first, then the batch's entries that did not win, in entry order
	used    []bool  // waiting[i] has won in this batch
	in      *Input
	out     *Outcome
}

func (b *book) holds(rep string) bool {
	return slices.ContainsFunc(b.holders, func(h Entry) bool { return h.RepID == rep })
}

func (b *book) enter(e Entry) {
	b.out.Changes = append(b.out.Changes, Change{Kind: Entered, Incentive: b.inc, Entry: e})
	if !b.holds(e.RepID) && len(b.holders) < b.inc.MaxWinners {
		b.win(e)
		return
	}
	if d := b.in.Deals[e.DealID]; d != nil && d.Won && d.WonEventID == e.EventID {
		b.waiting = append(b.waiting, e)
		b.used = append(b.used, false)
	}
}

func (b *book) win(e Entry) {
	b.holders = append(b.holders, e)
	b.out.Changes = append(b.out.Changes, Change{Kind: Won, Incentive: b.inc, Entry: e})
}

func (b *book) reverse(dealID string) {
	i := slices.IndexFunc(b.holders, func(h Entry) bool { return h.DealID == dealID })
	if i < 0 {
		return // this deal holds no place here
	}
	e := b.holders[i]
	b.holders = slices.Delete(b.holders, i, i+1)
	b.out.Changes = append(b.out.Changes, Change{Kind: ClawedBack, Incentive: b.inc, Entry: e})
	if b.inc.StatusAt(b.in.Now) != StatusOpen {
		return
	}
	for j, w := range b.waiting {
		if !b.used[j] && !b.holds(w.RepID) {
			b.used[j] = true
			b.win(w)
			return
		}
	}
}

// Paid lists, once each, the reps whose balance the outcome changes.
func (o Outcome) Paid() []string {
	var reps []string
	for _, c := range o.Changes {
		if c.Kind != Entered {
			reps = append(reps, c.Entry.RepID)
		}
	}
	slices.Sort(reps)
	return slices.Compact(reps)
}

// Notices are the messages of the outcome, in the order it happened: each reward and clawback
// for the rep's feed with the rep's balance once the batch is committed, and each win for the
// floor with the rep as the directory knows it.
func (o Outcome) Notices(balances map[string]bullpen.Balance, reps map[string]bullpen.Rep) []bullpen.Notice {
	var out []bullpen.Notice
	for _, c := range o.Changes {
		if c.Kind == Entered {
			continue
		}
		e := c.Entry
		out = append(out, message.PointsFor(e.RepID, message.Points{Points: c.Points(), Balance: balances[e.RepID].Points,
			Reason: c.Reason(), Note: c.Note(), IncentiveID: c.Incentive.ID, DealID: e.DealID, EventID: e.EventID}))
		if c.Kind == Won {
			r := reps[e.RepID]
			out = append(out, message.Won(message.IncentiveWon{IncentiveID: c.Incentive.ID, RepID: e.RepID, Name: r.Name,
				TeamID: r.TeamID, DealID: e.DealID, Points: c.Points(), Note: c.Note()}))
		}
	}
	return out
}
