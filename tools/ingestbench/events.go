package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/event"
)

// mix is the share of each event type, as the issue describes a sales floor: mostly
// activities, a quarter wins, a few updates and reversals of earlier wins.
var mix = []weighted{
	{string(event.Activity), 0.70},
	{string(event.DealWon), 0.25},
	{string(event.DealUpdated), 0.04},
	{string(event.DealReversed), 0.01},
}

// activities: call and meeting are weighted on the points contest, email and demo are not (they
// are recorded and change nothing), as on a real floor where not every activity scores.
var activities = []weighted{{"call", 0.50}, {"email", 0.25}, {"meeting", 0.15}, {"demo", 0.10}}

// weighted is a choice and its share.
type weighted struct {
	name  string
	share float64
}

var products = []string{"starter", "pro", "enterprise"}

// genEvent is one generated event, before it is encoded.
type genEvent struct {
	ID       string
	Type     event.Type
	At       time.Time
	Rep      int
	DealID   string
	Amount   bullpen.Fixed
	Units    int64
	HasUnits bool
	Product  string
	Activity string
}

func repID(r int) string  { return fmt.Sprintf("rep-%05d", r) }
func teamID(t int) string { return fmt.Sprintf("team-%02d", t) }

// genConfig says what to generate. Worker w owns the reps r with r%workers == w and produces
// its events in time order, so each rep's events are in order on the topic (the key is the
// rep) and the model below is exact.
type genConfig struct {
	Events, Reps, Teams, Workers int
	Seed                         uint64
	From, To                     time.Time // occurred_at spreads evenly over [From, To)
	Directory                    bool      // events carry rep_name and team_id
	Currency                     string
	IDPrefix                     string // before every event and deal id: "w" for the warm-up's history
}

func (g genConfig) team(rep int) int { return rep % g.Teams }

// count is how many events worker w generates.
func (g genConfig) count(w int) int {
	n := g.Events / g.Workers
	if w < g.Events%g.Workers {
		n++
	}
	return n
}

type wonDeal struct {
	id     string
	amount bullpen.Fixed
	units  int64
	// counted is the deal's current contribution to each contest, by contest index.
	counted []modelCount
}

type modelCount struct {
	key   modelKey
	value bullpen.Fixed
}

// modelKey is a standings row named by contest index (ids differ from one schema to the next).
type modelKey struct {
	Contest int
	Period  string
	Entrant string
}

// contribution is what one event does to one board, as the ledger should record it.
type contribution struct {
	modelKey
	Delta bullpen.Fixed
}

// generator makes one worker's events and keeps the expected standings as it goes: the same
// rules as docs/api.md §2, computed independently of the consumer.
type generator struct {
	cfg      genConfig
	contests []*contest.Contest
	w, n, i  int
	reps     []int
	rng      *rand.Rand
	won      map[int][]*wonDeal // rep -> its deals now won
	dealSeq  int
	Expected map[modelKey]bullpen.Fixed
	contribs []contribution // the last event's contributions
}

func newGenerator(cfg genConfig, contests []*contest.Contest, w int) *generator {
	g := &generator{cfg: cfg, contests: contests, w: w, n: cfg.count(w),
		rng: rand.New(rand.NewPCG(cfg.Seed, uint64(w)+1)), won: map[int][]*wonDeal{},
		Expected: map[modelKey]bullpen.Fixed{}}
	for r := w; r < cfg.Reps; r += cfg.Workers {
		g.reps = append(g.reps, r)
	}
	return g
}

// next returns the next event and false when the worker is done.
func (g *generator) next() (genEvent, bool) {
	if g.i >= g.n || len(g.reps) == 0 {
		return genEvent{}, false
	}
	span := g.cfg.To.Sub(g.cfg.From)
	at := g.cfg.From.Add(time.Duration(float64(span) * float64(g.i) / float64(g.n))).Truncate(time.Millisecond)
	rep := g.reps[g.rng.IntN(len(g.reps))]
	e := genEvent{ID: fmt.Sprintf("ev-%s%d-%d", g.cfg.IDPrefix, g.w, g.i), At: at, Rep: rep}
	g.i++
	g.contribs = g.contribs[:0]

	typ := event.Type(pick(g.rng, mix))
	deals := g.won[rep]
	if (typ == event.DealUpdated || typ == event.DealReversed) && len(deals) == 0 {
		typ = event.DealWon
	}
	e.Type = typ
	switch typ {
	case event.Activity:
		e.Activity = pick(g.rng, activities)
		for ci, c := range g.contests {
			if w, ok := c.ActivityValue(e.Activity); ok && c.InWindow(at) {
				g.add(modelKey{ci, c.PeriodAt(at).Key, g.entrant(c, rep)}, w)
			}
		}
	case event.DealWon:
		g.dealSeq++
		e.DealID = fmt.Sprintf("deal-%s%d-%d", g.cfg.IDPrefix, g.w, g.dealSeq)
		e.Amount = bullpen.Fixed(50_000 + g.rng.Int64N(5_000_000)) // $500.00 to $50,499.99
		e.Units, e.HasUnits = 1+g.rng.Int64N(5), true
		e.Product = products[g.rng.IntN(len(products))]
		d := &wonDeal{id: e.DealID, amount: e.Amount, units: e.Units}
		for ci, c := range g.contests {
			if !c.InWindow(at) {
				continue
			}
			k := modelKey{ci, c.PeriodAt(at).Key, g.entrant(c, rep)}
			v := c.DealValue(e.Amount, e.Units)
			d.counted = append(d.counted, modelCount{k, v})
			g.add(k, v)
		}
		g.won[rep] = append(deals, d)
	case event.DealUpdated:
		d := deals[g.rng.IntN(len(deals))]
		e.DealID = d.id
		e.Amount = bullpen.Fixed(50_000 + g.rng.Int64N(5_000_000))
		if g.rng.IntN(2) == 0 {
			e.Units, e.HasUnits = 1+g.rng.Int64N(5), true
			d.units = e.Units
		}
		d.amount = e.Amount
		for i, cnt := range d.counted {
			v := g.contests[cnt.key.Contest].DealValue(d.amount, d.units)
			g.add(cnt.key, v-cnt.value)
			d.counted[i].value = v
		}
	case event.DealReversed:
		j := g.rng.IntN(len(deals))
		d := deals[j]
		e.DealID = d.id
		for _, cnt := range d.counted {
			g.add(cnt.key, -cnt.value)
		}
		g.won[rep] = append(deals[:j], deals[j+1:]...)
	}
	return e, true
}

func (g *generator) entrant(c *contest.Contest, rep int) string {
	if c.Scope == contest.ScopeTeam {
		return teamID(g.cfg.team(rep))
	}
	return repID(rep)
}

func (g *generator) add(k modelKey, v bullpen.Fixed) {
	g.Expected[k] += v
	g.contribs = append(g.contribs, contribution{k, v})
}

func pick(rng *rand.Rand, items []weighted) string {
	x := rng.Float64()
	for _, it := range items {
		if x < it.share {
			return it.name
		}
		x -= it.share
	}
	return items[len(items)-1].name
}

// appendJSON encodes e as the contract's event JSON, by hand: the fill must not be the
// bottleneck of a benchmark that measures the drain.
func (g *generator) appendJSON(b []byte, e *genEvent) []byte {
	b = append(b, `{"event_id":"`...)
	b = append(b, e.ID...)
	b = append(b, `","type":"`...)
	b = append(b, e.Type...)
	b = append(b, `","occurred_at":"`...)
	b = e.At.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, `","rep_id":"`...)
	b = append(b, repID(e.Rep)...)
	b = append(b, '"')
	if g.cfg.Directory {
		b = append(b, `,"rep_name":"Rep `...)
		b = strconv.AppendInt(b, int64(e.Rep), 10)
		b = append(b, `","team_id":"`...)
		b = append(b, teamID(g.cfg.team(e.Rep))...)
		b = append(b, '"')
	}
	if e.DealID != "" {
		b = append(b, `,"deal_id":"`...)
		b = append(b, e.DealID...)
		b = append(b, '"')
	}
	if e.Type == event.DealWon || e.Type == event.DealUpdated {
		b = append(b, `,"amount":`...)
		b = strconv.AppendInt(b, int64(e.Amount)/100, 10)
		b = append(b, '.', byte('0'+int64(e.Amount)%100/10), byte('0'+int64(e.Amount)%10))
		b = append(b, `,"currency":"`...)
		b = append(b, g.cfg.Currency...)
		b = append(b, '"')
	}
	if e.HasUnits {
		b = append(b, `,"units":`...)
		b = strconv.AppendInt(b, e.Units, 10)
	}
	if e.Product != "" {
		b = append(b, `,"product":"`...)
		b = append(b, e.Product...)
		b = append(b, '"')
	}
	if e.Activity != "" {
		b = append(b, `,"activity":"`...)
		b = append(b, e.Activity...)
		b = append(b, '"')
	}
	return append(b, '}')
}

// mergeExpected sums the workers' expected standings (team rows collect several workers' reps).
func mergeExpected(gens []*generator) map[modelKey]bullpen.Fixed {
	out := map[modelKey]bullpen.Fixed{}
	for _, g := range gens {
		for k, v := range g.Expected {
			out[k] += v
		}
	}
	return out
}
