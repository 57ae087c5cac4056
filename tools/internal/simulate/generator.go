// Package simulate makes a plausible flow of deal events (docs/api.md §2) for demos and load:
// a few dozen reps in a few teams, mostly activities, some wins, the odd update and reversal.
// The Generator is pure and deterministic for a seed; Run paces it onto a Sink.
package simulate

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
	_ "time/tzdata" // team time zones must load on a machine without a zoneinfo database

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
)

// Config shapes the simulated sales floor.
type Config struct {
	Reps  int // how many reps (default 36)
	Teams int // how many teams the reps are spread over (default 4)
	// Shares of the flow by type; the rest is activity. An update or reversal needs a deal the
	// rep won earlier: while there is none, an activity is sent instead.
	WonShare     float64 // default 0.1
	UpdateShare  float64 // default 0.02
	ReverseShare float64 // default 0.005
	Seed         uint64  // the same seed gives the same reps and the same flow
	// RunID makes event and deal ids unique across runs (the ledger drops an event id it has
	// seen before). Default "run".
	RunID string
}

// Defaults of Config.
const (
	DefaultReps         = 36
	DefaultTeams        = 4
	DefaultWonShare     = 0.1
	DefaultUpdateShare  = 0.02
	DefaultReverseShare = 0.005
)

// Amount bounds of a simulated deal.won, in major units.
const (
	MinDealAmount = 500
	MaxDealAmount = 60000
)

// maxOpenDeals bounds how many won deals per rep are remembered as candidates for an update or
// reversal, so a long run keeps constant memory; the oldest is forgotten first.
const maxOpenDeals = 64

// Event is one deal event as it goes on the wire.
type Event struct {
	EventID    string         `json:"event_id"`
	Type       event.Type     `json:"type"`
	OccurredAt string         `json:"occurred_at"`
	RepID      string         `json:"rep_id"`
	RepName    string         `json:"rep_name"`
	TeamID     string         `json:"team_id"`
	DealID     string         `json:"deal_id,omitempty"`
	Amount     *bullpen.Fixed `json:"amount,omitempty"`
	Units      *int64         `json:"units,omitempty"`
	Product    string         `json:"product,omitempty"`
	Activity   string         `json:"activity,omitempty"`
}

// JSON is the event's wire form.
func (e Event) JSON() []byte {
	b, err := json.Marshal(e)
	if err != nil { // only plain strings and numbers: cannot happen
		panic(fmt.Sprintf("simulate: marshal event: %v", err))
	}
	return b
}

// Rep is a simulated sales rep.
type Rep struct {
	ID   string
	Name string
	Team string
	// skill scales how often the rep wins and how big the deals are (log-normal around 1).
	skill float64
	// busy scales how much activity the rep logs.
	busy float64
	open []openDeal // won, not reversed, most recent last
}

type openDeal struct {
	id     string
	amount bullpen.Fixed
	units  int64
}

// Generator produces the event flow. It is not safe for concurrent use.
type Generator struct {
	cfg       Config
	rng       *rand.Rand
	reps      []*Rep
	winWeight []float64 // cumulative, by skill
	actWeight []float64 // cumulative, by busyness
	zones     map[string]*time.Location
	n         uint64 // events made
	deals     uint64 // deals won
}

var firstNames = []string{
	"Ana", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Isabel", "Jamal",
	"Kenji", "Laura", "Marcus", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samuel", "Tara",
	"Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Carmen", "Diego",
	"Emma", "Felix", "Hana", "Ivan", "Julia", "Liam", "Maya", "Noah", "Olga", "Pablo",
}

var lastNames = []string{
	"Ruiz", "Okafor", "Nguyen", "Schmidt", "Kowalski", "Haddad", "Tanaka", "Moreau", "Silva",
	"Johnson", "Patel", "Rossi", "Andersen", "Kim", "Costa", "Brennan", "Fischer", "Lindqvist",
	"Mensah", "Novak", "Ortiz", "Park", "Reyes", "Sato", "Walsh", "Yilmaz", "Zhang", "Dubois",
	"Ferreira", "Ivanova",
}

// teamNames are handed out in order; past the list, teams are "team-N".
var teamNames = []string{"east", "west", "north", "south", "central", "pacific", "mountain", "gulf"}

// teamZones gives each named team the time zone its reps' CRM stamps events in, so the flow
// carries real offsets (DST included).
var teamZones = map[string]string{
	"east":     "America/New_York",
	"west":     "America/Los_Angeles",
	"north":    "America/Chicago",
	"south":    "America/Denver",
	"central":  "America/Chicago",
	"pacific":  "America/Los_Angeles",
	"mountain": "America/Denver",
	"gulf":     "America/Chicago",
}

var activities = []struct {
	name   string
	weight float64
}{{"call", 0.5}, {"email", 0.3}, {"meeting", 0.12}, {"demo", 0.08}}

var products = []string{"Starter", "Pro", "Enterprise", "Add-on"}

// TeamName is the id of the i-th team (0-based).
func TeamName(i int) string {
	if i < len(teamNames) {
		return teamNames[i]
	}
	return "team-" + strconv.Itoa(i+1)
}

// New returns a generator for cfg; zero fields take their defaults.
func New(cfg Config) (*Generator, error) {
	if cfg.Reps == 0 {
		cfg.Reps = DefaultReps
	}
	if cfg.Teams == 0 {
		cfg.Teams = DefaultTeams
	}
	if cfg.RunID == "" {
		cfg.RunID = "run"
	}
	switch {
	case cfg.Reps < 1 || cfg.Reps > 100_000:
		return nil, fmt.Errorf("reps must be between 1 and 100000, got %d", cfg.Reps)
	case cfg.Teams < 1 || cfg.Teams > cfg.Reps:
		return nil, fmt.Errorf("teams must be between 1 and the number of reps (%d), got %d", cfg.Reps, cfg.Teams)
	case cfg.WonShare < 0 || cfg.UpdateShare < 0 || cfg.ReverseShare < 0 ||
		cfg.WonShare+cfg.UpdateShare+cfg.ReverseShare > 1:
		return nil, fmt.Errorf("the won, update and reverse shares must be >= 0 and add up to at most 1")
	case !validID(cfg.RunID):
		return nil, fmt.Errorf("run id %q: only letters, digits and . _ : @ - are allowed", cfg.RunID)
	}
	g := &Generator{
		cfg:   cfg,
		rng:   rand.New(rand.NewPCG(cfg.Seed, 0x62756c6c70656e)), // "bullpen"
		zones: map[string]*time.Location{},
	}
	width := len(strconv.Itoa(cfg.Reps))
	if width < 2 {
		width = 2
	}
	used := map[string]bool{}
	for i := range cfg.Reps {
		r := &Rep{
			ID:    fmt.Sprintf("rep-%0*d", width, i+1),
			Team:  TeamName(i % cfg.Teams),
			skill: math.Exp(g.rng.NormFloat64() * 0.45),
			busy:  math.Exp(g.rng.NormFloat64() * 0.3),
		}
		// Distinct names while the lists last (40 x 30 = 1200).
		for try := 0; ; try++ {
			r.Name = firstNames[g.rng.IntN(len(firstNames))] + " " + lastNames[g.rng.IntN(len(lastNames))]
			if !used[r.Name] || try > 20 {
				break
			}
		}
		used[r.Name] = true
		g.reps = append(g.reps, r)
	}
	g.winWeight = cumulative(g.reps, func(r *Rep) float64 { return r.skill * r.skill })
	g.actWeight = cumulative(g.reps, func(r *Rep) float64 { return r.busy })
	for i := range cfg.Teams {
		name := TeamName(i)
		loc := time.UTC
		if z, ok := teamZones[name]; ok {
			if l, err := time.LoadLocation(z); err == nil {
				loc = l
			}
		}
		g.zones[name] = loc
	}
	return g, nil
}

func cumulative(reps []*Rep, w func(*Rep) float64) []float64 {
	out := make([]float64, len(reps))
	sum := 0.0
	for i, r := range reps {
		sum += w(r)
		out[i] = sum
	}
	return out
}

// Reps returns the simulated reps (shared; do not modify).
func (g *Generator) Reps() []*Rep { return g.reps }

// Next returns the next event, stamped at now in the rep's team time zone.
func (g *Generator) Next(now time.Time) Event {
	g.n++
	x := g.rng.Float64()
	var ev Event
	switch {
	case x < g.cfg.WonShare:
		ev = g.won(g.pick(g.winWeight))
	case x < g.cfg.WonShare+g.cfg.UpdateShare:
		ev = g.changeDeal(event.DealUpdated)
	case x < g.cfg.WonShare+g.cfg.UpdateShare+g.cfg.ReverseShare:
		ev = g.changeDeal(event.DealReversed)
	default:
		ev = g.activity(g.pick(g.actWeight))
	}
	ev.EventID = fmt.Sprintf("sim-%s-%d", g.cfg.RunID, g.n)
	ev.OccurredAt = now.In(g.zones[ev.TeamID]).Format("2006-01-02T15:04:05.000Z07:00")
	return ev
}

func (g *Generator) pick(cum []float64) *Rep {
	x := g.rng.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return g.reps[lo]
}

func base(r *Rep, t event.Type) Event {
	return Event{Type: t, RepID: r.ID, RepName: r.Name, TeamID: r.Team}
}

func (g *Generator) activity(r *Rep) Event {
	ev := base(r, event.Activity)
	x := g.rng.Float64()
	for _, a := range activities {
		ev.Activity = a.name
		if x < a.weight {
			break
		}
		x -= a.weight
	}
	return ev
}

// dealAmount is log-normal around ~$6k (scaled by skill), redrawn when outside the deal bounds
// (so the bounds do not pile up as suspiciously round amounts), in cents.
func (g *Generator) dealAmount(r *Rep) bullpen.Fixed {
	var v float64
	for range 20 {
		v = math.Exp(math.Log(6000) + math.Log(r.skill) + g.rng.NormFloat64()*0.9)
		if v >= MinDealAmount && v <= MaxDealAmount {
			break
		}
	}
	v = math.Min(math.Max(v, MinDealAmount), MaxDealAmount)
	return bullpen.Fixed(math.Round(v * 100))
}

func (g *Generator) won(r *Rep) Event {
	g.deals++
	ev := base(r, event.DealWon)
	ev.DealID = fmt.Sprintf("sim-%s-D%d", g.cfg.RunID, g.deals)
	amount := g.dealAmount(r)
	ev.Amount = &amount
	d := openDeal{id: ev.DealID, amount: amount, units: 1}
	if g.rng.Float64() < 0.4 { // seat-based deals say how many
		d.units = 1 + int64(g.rng.IntN(25))
		u := d.units
		ev.Units = &u
	}
	if g.rng.Float64() < 0.7 {
		ev.Product = products[g.rng.IntN(len(products))]
	}
	r.open = append(r.open, d)
	if len(r.open) > maxOpenDeals {
		r.open = r.open[1:]
	}
	return ev
}

// changeDeal updates or reverses a deal won earlier by a rep, or falls back to an activity
// while nobody has one.
func (g *Generator) changeDeal(t event.Type) Event {
	var candidates []*Rep
	for _, r := range g.reps {
		if len(r.open) > 0 {
			candidates = append(candidates, r)
		}
	}
	if len(candidates) == 0 {
		return g.activity(g.pick(g.actWeight))
	}
	r := candidates[g.rng.IntN(len(candidates))]
	i := g.rng.IntN(len(r.open))
	d := &r.open[i]
	ev := base(r, t)
	ev.DealID = d.id
	if t == event.DealReversed {
		r.open = append(r.open[:i], r.open[i+1:]...)
		return ev
	}
	// A renegotiation: -30 % to +40 %, within the deal bounds.
	factor := 0.7 + g.rng.Float64()*0.7
	v := float64(d.amount) * factor
	if v > MaxDealAmount*100 || v < MinDealAmount*100 { // renegotiate the other way instead
		v = float64(d.amount) / factor
	}
	v = math.Min(math.Max(v, MinDealAmount*100), MaxDealAmount*100)
	d.amount = bullpen.Fixed(math.Round(v))
	amount := d.amount
	ev.Amount = &amount
	if g.rng.Float64() < 0.3 {
		d.units = 1 + int64(g.rng.IntN(25))
		u := d.units
		ev.Units = &u
	}
	return ev
}

func validID(s string) bool {
	if s == "" || len(s) > 60 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == ':', c == '@', c == '-':
		default:
			return false
		}
	}
	return true
}
