package simulate_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/tools/internal/simulate"
)

func mustNew(tb testing.TB, cfg simulate.Config) *simulate.Generator {
	tb.Helper()
	g, err := simulate.New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return g
}

var t0 = time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC) // around a US DST switch

func TestEveryEventDecodesAndDealChangesNameTheRepsEarlierWins(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 7, RunID: "t", WonShare: 0.2, UpdateShare: 0.1, ReverseShare: 0.05})
	type deal struct {
		rep    string
		active bool
	}
	deals := map[string]*deal{}
	ids := map[string]bool{}
	seen := map[event.Type]int{}
	units := 0
	for i := range 20000 {
		raw := g.Next(t0.Add(time.Duration(i) * time.Second)).JSON()
		ev, derr := event.Decode(raw, "USD")
		if derr != nil {
			t.Fatalf("event %d does not decode: %v\n%s", i, derr, raw)
		}
		if ids[ev.EventID] {
			t.Fatalf("event id %s used twice", ev.EventID)
		}
		ids[ev.EventID] = true
		seen[ev.Type]++
		if !ev.HasName || ev.RepName == "" || !ev.HasTeam || ev.TeamID == "" {
			t.Fatalf("event without rep_name or team_id: %s", raw)
		}
		if ev.HasUnits {
			units++
		}
		switch ev.Type {
		case event.DealWon:
			if deals[ev.DealID] != nil {
				t.Fatalf("deal %s won twice: %s", ev.DealID, raw)
			}
			if ev.Amount < simulate.MinDealAmount*100 || ev.Amount > simulate.MaxDealAmount*100 {
				t.Fatalf("amount %v out of bounds", ev.Amount)
			}
			deals[ev.DealID] = &deal{rep: ev.RepID, active: true}
		case event.DealUpdated, event.DealReversed:
			d := deals[ev.DealID]
			if d == nil || d.rep != ev.RepID || !d.active {
				t.Fatalf("%s names a deal not currently won by %s: %s", ev.Type, ev.RepID, raw)
			}
			if ev.Type == event.DealReversed {
				d.active = false
			} else if ev.Amount < simulate.MinDealAmount*100 || ev.Amount > simulate.MaxDealAmount*100 {
				t.Fatalf("updated amount %v out of bounds", ev.Amount)
			}
		case event.Activity:
			switch ev.Activity {
			case "call", "email", "meeting", "demo":
			default:
				t.Fatalf("unexpected activity %q", ev.Activity)
			}
		}
	}
	for _, typ := range []event.Type{event.DealWon, event.DealUpdated, event.DealReversed, event.Activity} {
		if seen[typ] == 0 {
			t.Errorf("no %s in 20000 events", typ)
		}
	}
	if units == 0 {
		t.Error("no event carries units")
	}
}

func TestOccurredAtIsNowWithTheTeamsOffset(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 1})
	now := time.Date(2026, 7, 1, 15, 4, 5, 123_000_000, time.UTC)
	offsets := map[string]bool{}
	for range 500 {
		ev := g.Next(now)
		at, err := time.Parse(time.RFC3339Nano, ev.OccurredAt)
		if err != nil {
			t.Fatalf("occurred_at %q: %v", ev.OccurredAt, err)
		}
		if !at.Equal(now) {
			t.Fatalf("occurred_at %s is not %s", at, now)
		}
		offsets[ev.OccurredAt[len(ev.OccurredAt)-6:]] = true
	}
	// east, west, north, south in summer: -04:00, -07:00, -05:00, -06:00.
	for _, want := range []string{"-04:00", "-07:00", "-05:00", "-06:00"} {
		if !offsets[want] {
			t.Errorf("no event stamped with offset %s (got %v)", want, offsets)
		}
	}
}

func TestTheSameSeedGivesTheSameFlow(t *testing.T) {
	cfg := simulate.Config{Seed: 42, RunID: "x", WonShare: 0.3}
	a, b := mustNew(t, cfg), mustNew(t, cfg)
	for i := range 1000 {
		ea, eb := a.Next(t0).JSON(), b.Next(t0).JSON()
		if !bytes.Equal(ea, eb) {
			t.Fatalf("event %d differs:\n%s\n%s", i, ea, eb)
		}
	}
	c := mustNew(t, simulate.Config{Seed: 43, RunID: "x", WonShare: 0.3})
	same := true
	for i, r := range c.Reps() {
		if r.Name != a.Reps()[i].Name {
			same = false
		}
	}
	if same {
		t.Error("another seed gave the same rep names")
	}
}

func TestRepsAreSpreadOverNamedTeams(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 3})
	reps := g.Reps()
	if len(reps) != simulate.DefaultReps {
		t.Fatalf("%d reps, want %d", len(reps), simulate.DefaultReps)
	}
	perTeam := map[string]int{}
	names := map[string]bool{}
	for _, r := range reps {
		perTeam[r.Team]++
		names[r.Name] = true
		if !strings.HasPrefix(r.ID, "rep-") || strings.Count(r.Name, " ") != 1 {
			t.Errorf("odd rep %+v", r)
		}
	}
	for _, team := range []string{"east", "west", "north", "south"} {
		if perTeam[team] != 9 {
			t.Errorf("team %s has %d reps, want 9 (%v)", team, perTeam[team], perTeam)
		}
	}
	if len(names) != len(reps) {
		t.Errorf("%d distinct names for %d reps", len(names), len(reps))
	}
}

func TestWonShareIsRoughlyRespectedAndSomeRepsWinMore(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 5, WonShare: 0.1})
	won := 0
	byRep := map[string]bullpen.Fixed{}
	const n = 50000
	for range n {
		ev := g.Next(t0)
		if ev.Type == event.DealWon {
			won++
			byRep[ev.RepID] += *ev.Amount
		}
	}
	if share := float64(won) / n; share < 0.09 || share > 0.11 {
		t.Errorf("won share %.3f, want about 0.1", share)
	}
	lo, hi := bullpen.Fixed(1<<62), bullpen.Fixed(0)
	for _, v := range byRep {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi < 3*lo {
		t.Errorf("best rep %v, worst %v: expected a wider spread", hi, lo)
	}
}

func TestAmountsHaveAtMostTwoDecimals(t *testing.T) {
	g := mustNew(t, simulate.Config{Seed: 9, WonShare: 1})
	for range 2000 {
		raw := g.Next(t0).JSON()
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		a := string(m["amount"])
		if strings.ContainsAny(a, "eE\"") {
			t.Fatalf("amount %s is not a plain JSON number", a)
		}
		if _, frac, ok := strings.Cut(a, "."); ok && len(frac) > 2 {
			t.Fatalf("amount %s has more than 2 decimals", a)
		}
	}
}

func TestNewRefusesABadConfig(t *testing.T) {
	cases := map[string]simulate.Config{
		"negative reps":      {Reps: -1},
		"more teams":         {Reps: 3, Teams: 4},
		"shares above 1":     {WonShare: 0.9, UpdateShare: 0.2},
		"negative share":     {WonShare: -0.1},
		"run id with spaces": {RunID: "a b"},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := simulate.New(cfg); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}
