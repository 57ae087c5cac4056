package ingest

import (
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/event"
	"bullpen/internal/message"
)

// Apply runs the events in order against the deals and contests. It never fails: an event
// that cannot change anything (a second win, an update of a deal that is not won) is recorded
// with Changed false.
func Apply(in Input) Output {
	b := batch{
		in:       in,
		contests: make(map[string]*contest.Contest, len(in.Contests)),
		out: Output{
			Applied: make([]Applied, 0, len(in.Events)),
			Deals:   map[string]*Deal{},
			Tally:   Tally{Moves: map[BoardKey]Move{}},
			Reps:    map[string]bullpen.Rep{},
		},
		sets: setsByTeam(in.Sets),
	}
	for _, c := range in.Contests {
		b.contests[c.ID] = c
	}
	for _, ev := range in.Events {
		b.apply(ev)
	}
	b.celebrate()
	return b.out
}

type batch struct {
	in       Input
	contests map[string]*contest.Contest
	sets     map[string][]setRules
	out      Output
}

func (b *batch) apply(ev event.Event) {
	team := b.updateDirectory(ev)
	var changed bool
	switch ev.Type {
	case event.DealWon:
		changed = b.won(ev, team)
	case event.DealUpdated:
		changed = b.updated(ev)
	case event.DealReversed:
		changed = b.reversed(ev)
	case event.Activity:
		changed = b.activity(ev, team)
	}
	b.out.Applied = append(b.out.Applied, Applied{Event: ev, TeamID: team, Changed: changed})
}

// updateDirectory records the rep's latest name and team when they change, and returns its
// team now.
func (b *batch) updateDirectory(ev event.Event) string {
	cur, known := b.in.Reps[ev.RepID]
	next := cur
	next.RepID = ev.RepID
	if ev.HasName {
		next.Name = ev.RepName
	}
	if ev.HasTeam {
		next.TeamID = ev.TeamID
	}
	if !known || next != cur {
		if b.in.Reps == nil {
			b.in.Reps = map[string]bullpen.Rep{}
		}
		b.in.Reps[ev.RepID] = next
		b.out.Reps[ev.RepID] = next
	}
	return next.TeamID
}

func (b *batch) won(ev event.Event, team string) bool {
	d := b.in.Deals[ev.DealID]
	if d != nil && d.Won {
		return false
	}
	d = &Deal{DealID: ev.DealID, RepID: ev.RepID, TeamID: team, Won: true, Amount: ev.Amount, Units: ev.Units,
		Product: ev.Product, WonAt: ev.OccurredAt, WonEventID: ev.EventID}
	for _, c := range b.in.Contests {
		k, v, ok := Contribute(c, ev, team, b.in.Grace)
		if !ok {
			continue
		}
		d.Counted = append(d.Counted, Counted{ContestID: k.ContestID, PeriodKey: k.PeriodKey, Entrant: k.Entrant, Value: v})
		b.move(ev, k, v)
	}
	b.targetWon(ev, team)
	b.setDeal(d)
	return true
}

func (b *batch) updated(ev event.Event) bool {
	d := b.in.Deals[ev.DealID]
	if d == nil || !d.Won {
		return false
	}
	nd := *d
	nd.Counted = append([]Counted(nil), d.Counted...)
	nd.Amount = ev.Amount
	if ev.HasUnits {
		nd.Units = ev.Units
	}
	for i, cnt := range nd.Counted {
		c, open := b.open(cnt, ev)
		if !open {
			continue // final or cancelled: its results are frozen
		}
		v := c.DealValue(nd.Amount, nd.Units)
		b.move(ev, cnt.key(), v-cnt.Value)
		nd.Counted[i].Value = v
	}
	b.targetDealMoved(d, &nd, ev)
	b.setDeal(&nd)
	return true
}

func (b *batch) reversed(ev event.Event) bool {
	d := b.in.Deals[ev.DealID]
	if d == nil || !d.Won {
		return false
	}
	nd := *d
	nd.Won = false
	for _, cnt := range d.Counted {
		if _, open := b.open(cnt, ev); open {
			b.move(ev, cnt.key(), -cnt.Value)
		}
	}
	nd.Counted = nil
	b.targetDealMoved(d, nil, ev)
	b.setDeal(&nd)
	return true
}

func (b *batch) activity(ev event.Event, team string) bool {
	changed := false
	for _, c := range b.in.Contests {
		k, w, ok := Contribute(c, ev, team, b.in.Grace)
		if !ok {
			continue
		}
		b.move(ev, k, w)
		changed = true
	}
	return b.targetActivity(ev, team) || changed
}

// open returns the contest of a deal's contribution if that board still takes ev's change.
func (b *batch) open(cnt Counted, ev event.Event) (*contest.Contest, bool) {
	c, live := b.contests[cnt.ContestID]
	if !live {
		return nil, false
	}
	p, ok := c.PeriodByKey(cnt.PeriodKey)
	return c, ok && c.Open(p, ev.ArrivedAt, b.in.Grace)
}

func (b *batch) setDeal(d *Deal) {
	if b.in.Deals == nil {
		b.in.Deals = map[string]*Deal{}
	}
	b.in.Deals[d.DealID] = d
	b.out.Deals[d.DealID] = d
}

func (b *batch) move(ev event.Event, k BoardKey, delta bullpen.Fixed) {
	b.out.Add(ev.EventID, ev.RepID, k, delta, ev.OccurredAt)
}

// celebrate queues the floor's celebration of each deal the batch won, with the rep's name as
// the batch leaves the directory and its team when the deal was applied.
func (b *batch) celebrate() {
	for _, a := range b.out.Applied {
		e := a.Event
		if !a.Changed || e.Type != event.DealWon {
			continue
		}
		b.out.Notices = append(b.out.Notices, message.Celebrate(message.Celebration{
			RepID: e.RepID, Name: b.in.Reps[e.RepID].Name, TeamID: a.TeamID, DealID: e.DealID, Amount: e.Amount,
			EventID: e.EventID, OccurredAt: e.OccurredAt}))
	}
}

func (c Counted) key() BoardKey {
	return BoardKey{ContestID: c.ContestID, PeriodKey: c.PeriodKey, Entrant: c.Entrant}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
