package achievement_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
)

// ledger is one rep's deals and badges as the ledger holds them, for the model below.
type ledger struct {
	deals  map[string]modelDeal
	awards map[string]achievement.Award // by kind and occurrence
	nextID int64
}

type modelDeal struct {
	won    bool
	amount bullpen.Fixed
	day    time.Time
}

const (
	modelSet    = 7
	modelTarget = 400
)

// read is the rep as the ledger's read fills it for Decide after a batch: the whole truth
// (every day's wins, every badge), which Decide needs no more of than the ledger reads.
func (l *ledger) read(rules achievement.Rules, touched achievement.Rep, quota bool) achievement.Rep {
	r := touched
	r.Wins = map[time.Time]int{}
	defer func() { l.capWins(rules, &r) }()
	var won []achievement.Deal
	var total bullpen.Fixed
	byPeriod := map[string]bullpen.Fixed{}
	for id, d := range l.deals {
		if !d.won {
			continue
		}
		r.Wins[d.day]++
		won = append(won, achievement.Deal{DealID: id, Won: true, Amount: d.amount})
		total += d.amount
		key, _, _ := achievement.Span(achievement.Week, d.day)
		byPeriod[key] += d.amount
	}
	slices.SortFunc(won, func(a, b achievement.Deal) int {
		if a.Amount != b.Amount {
			return int(b.Amount - a.Amount)
		}
		return strings.Compare(a.DealID, b.DealID)
	})
	r.Top = won[:min(2, len(won))]
	r.Periods = slices.Clone(touched.Periods)
	for i := range r.Periods {
		p := &r.Periods[i]
		p.Total = byPeriod[p.Key]
		// going back, the first earlier period at or above it; else the best earlier one
		var earlier []string
		for key, sum := range byPeriod {
			if key < p.Key && sum > 0 {
				earlier = append(earlier, key)
			}
		}
		slices.Sort(earlier)
		p.Rival, p.RivalTotal = "", 0
		for j := len(earlier) - 1; j >= 0; j-- {
			if byPeriod[earlier[j]] >= p.Total {
				p.Rival, p.RivalTotal = earlier[j], byPeriod[earlier[j]]
				break
			}
		}
		if p.Rival == "" {
			for _, key := range earlier {
				if byPeriod[key] >= p.RivalTotal {
					p.Rival, p.RivalTotal = key, byPeriod[key]
				}
			}
		}
	}
	r.Quotas = nil
	if quota {
		r.Quotas = []achievement.Quota{{SetID: modelSet, Period: "2026-12", Metric: "revenue", Value: total, Target: modelTarget}}
	}
	r.Awards = nil
	for _, a := range l.awards {
		r.Awards = append(r.Awards, a)
	}
	return r
}

// capWins counts the touched days as the ledger's read does: up to max(3, one more than the
// batch added) when the day's hat-trick stands or the rule is off.
func (l *ledger) capWins(rules achievement.Rules, r *achievement.Rep) {
	for _, day := range r.Days {
		a, had := l.awards[string(achievement.HatTrick)+"\x00"+day.Format(time.DateOnly)]
		if standing := had && a.Active(); rules.HatTrick.Enabled && !standing {
			continue
		}
		r.Wins[day] = min(r.Wins[day], max(3, r.Changed[day]+1))
	}
}

func (l *ledger) write(o achievement.Outcome) {
	for _, e := range o.Earned {
		l.nextID++
		l.awards[string(e.Kind)+"\x00"+e.Key] = achievement.Award{ID: l.nextID, RepID: e.RepID, Kind: e.Kind, Key: e.Key, DealID: e.DealID}
	}
	for _, v := range o.Revoked {
		a := l.awards[string(v.Award.Kind)+"\x00"+v.Award.Key]
		a.RevokedAt = &revokedAt
		l.awards[string(v.Award.Kind)+"\x00"+v.Award.Key] = a
	}
}

// change is one deal as a batch leaves it.
type change struct {
	id  string
	now modelDeal
}

// batch changes a few deals at random (most of them new wins on the last days: the floor's
// today) and applies them.
func (l *ledger) batch(rnd *rand.Rand, days []time.Time, next *int) (achievement.Rep, bool) {
	var changes []change
	seen := map[string]bool{}
	for range 1 + rnd.IntN(3) {
		ids := make([]string, 0, len(l.deals))
		for id := range l.deals {
			if !seen[id] {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		if n := rnd.IntN(10); n < 8 || len(ids) == 0 {
			*next++
			id := fmt.Sprintf("d%03d", *next)
			seen[id] = true
			changes = append(changes, change{id, modelDeal{won: true, amount: bullpen.Fixed(1 + rnd.IntN(120)),
				day: days[len(days)-1-min(len(days)-1, rnd.IntN(len(days)*3)/5)]}})
			continue
		}
		id := ids[rnd.IntN(len(ids))] // a reversal, a win again, an amount or a day changed
		seen[id] = true
		d := l.deals[id]
		switch {
		case !d.won:
			d.won = true
		default:
			switch rnd.IntN(3) {
			case 0:
				d.won = false
			case 1:
				d.amount = bullpen.Fixed(1 + rnd.IntN(120))
			case 2:
				d.day = days[rnd.IntN(len(days))]
			}
		}
		changes = append(changes, change{id, d})
	}
	return l.apply(changes...)
}

// apply writes a batch's changes of deals and returns the rep as the batch touched it (as the
// ledger adapter's touchedReps builds it) and whether the rep's attainment moved.
func (l *ledger) apply(changes ...change) (achievement.Rep, bool) {
	r := achievement.Rep{RepID: "r", Wins: map[time.Time]int{}, Changed: map[time.Time]int{}}
	moved := false
	for _, ch := range changes {
		before, had := l.deals[ch.id]
		d := ch.now
		l.deals[ch.id] = d
		moved = moved || d.won != before.won || d.amount != before.amount
		r.Days = append(r.Days, d.day)
		if d.won {
			r.Changed[d.day]++
		}
		if had && before.won {
			r.Days = append(r.Days, before.day)
			r.Changed[before.day]--
		}
		r.Deals = append(r.Deals, achievement.Deal{DealID: ch.id, Won: d.won, Amount: d.amount})
		wasWon := had && before.won
		r.Periods = touch(r.Periods, d.day, d.won && !wasWon)
		if wasWon {
			r.Periods = touch(r.Periods, before.day, false)
		}
	}
	slices.SortFunc(r.Days, time.Time.Compare)
	r.Days = slices.Compact(r.Days)
	return r, moved
}

func touch(periods []achievement.Period, day time.Time, grew bool) []achievement.Period {
	key, first, _ := achievement.Span(achievement.Week, day)
	for i := range periods {
		if periods[i].Key == key {
			periods[i].Grew = periods[i].Grew && grew
			return periods
		}
	}
	return append(periods, achievement.Period{Key: key, First: first, Grew: grew})
}

// TestSketchDecidesAsTheTruth runs random batches of wins, reversals and changes against one
// rep, and at each one checks that when what is known of the rep can stand in for the ledger's
// read (Sketch), Decide awards exactly what it awards from the whole truth. What a batch
// decided either way leaves is learnt, as the ledger adapter does: it must keep what is known
// true.
func TestSketchDecidesAsTheTruth(t *testing.T) {
	days := dates("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27",
		"2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04")
	all := achievement.Rules{
		FirstWin: achievement.Rule{Enabled: true}, HatTrick: achievement.Rule{Enabled: true},
		Streak:      achievement.StreakRule{Rule: achievement.Rule{Enabled: true}, Days: 2},
		LargestDeal: achievement.Rule{Enabled: true}, QuotaClub: achievement.Rule{Enabled: true},
		BestPeriod: achievement.PeriodRule{Rule: achievement.Rule{Enabled: true}, Period: achievement.Week},
	}
	ways := map[string]int{}
	for seed := range uint64(400) {
		rnd := rand.New(rand.NewPCG(seed, 1))
		rules := all
		switch seed % 7 { // some rules off: what Sketch asks of the others
		case 1:
			rules.FirstWin.Enabled = false
		case 2:
			rules.HatTrick.Enabled, rules.BestPeriod.Enabled = false, false
		case 3:
			rules.FirstWin.Enabled, rules.HatTrick.Enabled, rules.Streak.Enabled = false, false, false
		case 4:
			rules.FirstWin.Enabled, rules.HatTrick.Enabled = false, false
		case 5:
			rules.HatTrick.Enabled, rules.Streak.Enabled, rules.BestPeriod.Enabled = false, false, false
		}
		m := newModel(t, rules)
		next := 0
		for step := range 60 {
			ways[m.step(m.l.batch(rnd, days, &next))]++
			if t.Failed() {
				t.Fatalf("seed %d step %d", seed, step)
			}
		}
	}
	t.Logf("batches: %d settled, %d decided from what is known, %d read", ways["settled"], ways["sketched"], ways["read"])
	if ways["settled"]+ways["sketched"] < ways["read"] {
		t.Fatalf("%v: most batches read the ledger, Sketch says too little to be worth having", ways)
	}
}

// model is one rep's ledger, what is known of it, and the rules.
type model struct {
	t     *testing.T
	rules achievement.Rules
	l     *ledger
	known achievement.Known
}

func newModel(t *testing.T, rules achievement.Rules) *model {
	return &model{t: t, rules: rules, l: &ledger{deals: map[string]modelDeal{}, awards: map[string]achievement.Award{}}}
}

// step judges a batch that touched the rep as the ledger adapter does: from what is known
// when Sketch can build the rep and Decide revokes nothing from it (and then it must decide
// exactly as from the whole truth), else from the truth; either way written and learnt. It
// says how the batch went: settled (sketched, nothing to write), sketched, or read.
func (m *model) step(touched achievement.Rep, moved bool) string {
	m.t.Helper()
	if !m.rules.ByDay() {
		touched.Days, touched.Changed = nil, map[time.Time]int{}
	}
	if !m.rules.BestPeriod.Enabled {
		touched.Periods = nil
	}
	if !m.rules.LargestDeal.Enabled {
		touched.Deals = nil
	}
	var moves []achievement.Move
	if moved && m.rules.QuotaClub.Enabled {
		var total bullpen.Fixed
		for _, d := range m.l.deals {
			if d.won {
				total += d.amount
			}
		}
		moves = []achievement.Move{{SetID: modelSet, Value: total}}
	}
	cal := calendar(m.t)
	truth := m.l.read(m.rules, touched, moves != nil)
	want := achievement.Decide(achievement.Input{Rules: m.rules, Calendar: cal, Reps: []achievement.Rep{truth}})
	if s, ok := m.known.Sketch(m.rules, touched, moves); ok {
		got := achievement.Decide(achievement.Input{Rules: m.rules, Calendar: cal, Reps: []achievement.Rep{s}})
		if len(got.Revoked) == 0 {
			if len(want.Revoked) != 0 || !reflect.DeepEqual(got.Earned, want.Earned) {
				ge, gr := keysOf(got)
				we, wr := keysOf(want)
				m.t.Errorf("from what is known Decide awards %v and revokes %v; from the truth %v and %v (batch %+v)", ge, gr, we, wr, touched)
				for i := range min(len(got.Earned), len(want.Earned)) {
					if got.Earned[i] != want.Earned[i] {
						m.t.Errorf("award %d: %+v, want %+v", i, got.Earned[i], want.Earned[i])
					}
				}
			}
			m.l.write(got)
			m.known.Learn(s, moves, got)
			if got.Empty() {
				return "settled"
			}
			return "sketched"
		}
	}
	m.l.write(want)
	m.known.Learn(truth, moves, want)
	return "read"
}

// TestSketchCases are the sequences the random batches seldom make.
func TestSketchCases(t *testing.T) {
	won := func(amount int, day string) modelDeal {
		return modelDeal{won: true, amount: bullpen.Fixed(amount), day: date(day)}
	}
	cases := []struct {
		name    string
		rules   achievement.Rules
		batches [][]change
	}{
		{
			// A deal moved from one week to the next leaves both known alone; a win in the
			// first week, then one in the second: the second now has the first as its rival.
			name:  "a week's revenue gives the next week alone a rival",
			rules: achievement.Rules{BestPeriod: achievement.PeriodRule{Rule: achievement.Rule{Enabled: true}, Period: achievement.Week}},
			batches: [][]change{
				{{"d1", won(50, "2026-11-24")}},
				{{"d1", won(50, "2026-12-01")}},
				{{"d2", won(30, "2026-11-25")}},
				{{"d3", won(10, "2026-12-02")}},
			},
		},
		{
			// A best week whose deal is cut back under the week before: revoked.
			name:  "a best week cut back by a changed amount",
			rules: achievement.Rules{BestPeriod: achievement.PeriodRule{Rule: achievement.Rule{Enabled: true}, Period: achievement.Week}},
			batches: [][]change{
				{{"d1", won(100, "2026-11-24")}},
				{{"d2", won(150, "2026-12-01")}},
				{{"d2", won(50, "2026-12-01")}},
			},
		},
		{
			// With neither first win nor hat-trick, a day known to have no win gets one: a
			// streak may complete.
			name:  "a day's first win completes a streak",
			rules: achievement.Rules{Streak: achievement.StreakRule{Rule: achievement.Rule{Enabled: true}, Days: 2}},
			batches: [][]change{
				{{"d1", won(50, "2026-12-01")}},
				{{"d2", won(50, "2026-12-02")}},
				{{"d2", won(50, "2026-12-03")}},
				{{"d3", won(50, "2026-12-02")}},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newModel(t, c.rules)
			for i, b := range c.batches {
				m.step(m.l.apply(b...))
				if t.Failed() {
					t.Fatalf("batch %d", i+1)
				}
			}
		})
	}
}
