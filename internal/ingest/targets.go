package ingest

import (
	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/event"
	"bullpen/internal/target"
)

// Attainment of targets moves with the same events as the boards, scored by the same rule
// (Contribute, on the contest view of each set), but leaves no row per event: a batch adds its
// moves up per (set, rep) and the ledger keeps one running value per row. A deal's update or
// reversal therefore cannot look up what the deal counted; it works it out instead. A set
// counts a won deal when the deal's win fell in its period, judged by its team, and arrived
// before the period's end plus the grace; the value counted is the deal's value by the set's
// rules now, because a change of those rules counts the set again (Recount). An update or
// reversal moves a set only while the set still takes changes (arriving before its end plus
// grace, as a board), and then the win, which arrived earlier, did count.

// setRules is a set with its contest view, built once per batch.
type setRules struct {
	set   *target.Set
	rules *contest.Contest
}

func setsByTeam(sets []*target.Set) map[string][]setRules {
	if len(sets) == 0 {
		return nil
	}
	out := make(map[string][]setRules, len(sets))
	for _, s := range sets {
		out[s.TeamID] = append(out[s.TeamID], setRules{set: s, rules: s.Rules()})
	}
	return out
}

func (b *batch) attain(setID int64, repID string, delta bullpen.Fixed) {
	if delta == 0 {
		return
	}
	if b.out.Attainment == nil {
		b.out.Attainment = map[target.ValueKey]bullpen.Fixed{}
	}
	b.out.Attainment[target.ValueKey{SetID: setID, RepID: repID}] += delta
}

// targetWon counts a won deal in the sets of the team it was judged by.
func (b *batch) targetWon(ev event.Event, team string) {
	for _, s := range b.sets[team] {
		if _, v, ok := Contribute(s.rules, ev, team, b.in.Grace); ok {
			b.attain(s.set.ID, ev.RepID, v)
		}
	}
}

// targetActivity counts an activity in the points sets of its team that weigh it.
func (b *batch) targetActivity(ev event.Event, team string) bool {
	counted := false
	for _, s := range b.sets[team] {
		if _, w, ok := Contribute(s.rules, ev, team, b.in.Grace); ok {
			b.attain(s.set.ID, ev.RepID, w)
			counted = true
		}
	}
	return counted
}

// targetDealMoved moves the sets that counted old (a won deal) by what it is worth now: next,
// or nothing once reversed (next nil).
func (b *batch) targetDealMoved(old, next *Deal, ev event.Event) {
	for _, s := range b.sets[old.TeamID] {
		c := s.rules
		if !c.InWindow(old.WonAt) || !c.Open(c.PeriodAt(old.WonAt), ev.ArrivedAt, b.in.Grace) {
			continue
		}
		var v bullpen.Fixed
		if next != nil {
			v = c.DealValue(next.Amount, next.Units)
		}
		b.attain(s.set.ID, old.RepID, v-c.DealValue(old.Amount, old.Units))
	}
}
