package incentive_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/incentive"
	"bullpen/internal/ingest"
)

var now = time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)

func spot(maxWinners int) *incentive.Incentive {
	least := bullpen.Fixed(500000)
	return &incentive.Incentive{ID: "i1", Title: "First to close $5k+", Condition: incentive.Condition{Type: "deal.won", MinAmount: &least},
		RewardPoints: 200, MaxWinners: maxWinners, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour),
		CreatedAt: now.Add(-time.Hour)}
}

// won is a qualifying deal.won: rep "ana", deal "D1", event "ana/D1".
func won(rep, deal string) event.Event {
	return event.Event{EventID: rep + "/" + deal, Type: event.DealWon, RepID: rep, DealID: deal, Amount: 600000, Units: 1,
		OccurredAt: now.Add(-time.Minute)}
}

func reversed(deal string) event.Event {
	return event.Event{EventID: "rev/" + deal, Type: event.DealReversed, RepID: "x", DealID: deal, OccurredAt: now}
}

func entry(rep, deal string) incentive.Entry {
	return incentive.Entry{EventID: rep + "/" + deal, RepID: rep, DealID: deal}
}

// batch applies events as ingest would, with the deals already won before the batch (so a
// reversal of a loaded holder finds its deal), and returns the rule's input.
func batch(before []string, events ...event.Event) incentive.Input {
	deals := map[string]*ingest.Deal{}
	for _, d := range before {
		rep, deal, _ := strings.Cut(d, "/")
		deals[deal] = &ingest.Deal{DealID: deal, RepID: rep, Won: true, WonEventID: d}
	}
	in := ingest.Input{Events: events, Deals: deals}
	out := ingest.Apply(in)
	return incentive.Input{Applied: out.Applied, Deals: in.Deals, Now: now}
}

func describe(o incentive.Outcome) string {
	var s []string
	for _, c := range o.Changes {
		s = append(s, fmt.Sprintf("%s %s/%s", map[incentive.Kind]string{incentive.Entered: "enter", incentive.Won: "win",
			incentive.ClawedBack: "claw"}[c.Kind], c.Entry.RepID, c.Entry.DealID))
	}
	return strings.Join(s, ", ")
}

func TestDecide(t *testing.T) {
	closed := spot(1)
	ended := now.Add(-time.Minute)
	closed.EndedAt = &ended
	for _, tc := range []struct {
		name  string
		state incentive.State
		in    incentive.Input
		want  string
	}{
		{"the first reps to qualify win and a rep wins once",
			incentive.State{Incentive: spot(2)},
			batch(nil, won("ana", "D1"), won("ana", "D2"), won("bo", "D3"), won("cy", "D4")),
			"enter ana/D1, win ana/D1, enter ana/D2, enter bo/D3, win bo/D3, enter cy/D4"},
		{"a deal below the minimum enters nothing",
			incentive.State{Incentive: spot(2)},
			batch(nil, event.Event{EventID: "small", Type: event.DealWon, RepID: "ana", DealID: "S", Amount: 499999, OccurredAt: now}),
			""},
		{"a second win of a won deal enters nothing",
			incentive.State{Incentive: spot(2)},
			batch([]string{"ana/D1"}, won("ana", "D1")),
			""},
		{"a full incentive records the entry and pays nothing",
			incentive.State{Incentive: spot(1), Holders: []incentive.Entry{entry("ana", "D1")}},
			batch([]string{"ana/D1"}, won("bo", "D2")),
			"enter bo/D2"},
		{"a reversed win passes the place to the earliest waiting entry of a rep without a win",
			incentive.State{Incentive: spot(2), Holders: []incentive.Entry{entry("ana", "D1"), entry("bo", "D3")},
				Waiting: []incentive.Entry{entry("bo", "D2"), entry("cy", "D4"), entry("dee", "D5")}},
			batch([]string{"ana/D1", "bo/D2", "bo/D3", "cy/D4", "dee/D5"}, reversed("D1")),
			"claw ana/D1, win cy/D4"},
		{"a rep whose reward is clawed back may win again with another deal",
			incentive.State{Incentive: spot(2), Holders: []incentive.Entry{entry("ana", "D1"), entry("bo", "D3")},
				Waiting: []incentive.Entry{entry("ana", "D2"), entry("cy", "D4")}},
			batch([]string{"ana/D1", "ana/D2", "bo/D3", "cy/D4"}, reversed("D1")),
			"claw ana/D1, win ana/D2"},
		{"a place freed in a batch skips entries whose deals the batch reverses later",
			incentive.State{Incentive: spot(1)},
			batch(nil, won("ana", "D1"), won("bo", "D2"), won("cy", "D3"), reversed("D1"), reversed("D2")),
			"enter ana/D1, win ana/D1, enter bo/D2, enter cy/D3, claw ana/D1, win cy/D3"},
		{"a place freed with nobody waiting goes to the next qualifying win",
			incentive.State{Incentive: spot(1)},
			batch(nil, won("ana", "D1"), reversed("D1"), won("bo", "D2")),
			"enter ana/D1, win ana/D1, claw ana/D1, enter bo/D2, win bo/D2"},
		{"two places freed at once go to the two earliest waiting reps",
			incentive.State{Incentive: spot(2), Holders: []incentive.Entry{entry("ana", "D1"), entry("bo", "D2")},
				Waiting: []incentive.Entry{entry("cy", "D3"), entry("dee", "D4")}},
			batch([]string{"ana/D1", "bo/D2", "cy/D3", "dee/D4"}, reversed("D2"), reversed("D1")),
			"claw bo/D2, win cy/D3, claw ana/D1, win dee/D4"},
		{"a reversal after the close claws back and frees no place",
			incentive.State{Incentive: closed, Holders: []incentive.Entry{entry("ana", "D1")}, Waiting: []incentive.Entry{entry("bo", "D2")}},
			batch([]string{"ana/D1", "bo/D2"}, reversed("D1"), won("cy", "D3")),
			"claw ana/D1"},
		{"a reversal of a deal that holds no place changes nothing",
			incentive.State{Incentive: spot(1), Holders: []incentive.Entry{entry("ana", "D1")}, Waiting: []incentive.Entry{entry("bo", "D2")}},
			batch([]string{"ana/D1", "bo/D2"}, reversed("D2")),
			""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Incentives = []incentive.State{tc.state}
			if got := describe(incentive.Decide(tc.in)); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDecideRunsEachEventAgainstEveryIncentiveInOrder(t *testing.T) {
	a, b := spot(1), spot(1)
	b.ID, b.RewardPoints = "i2", 50
	in := batch(nil, won("ana", "D1"), won("bo", "D2"))
	in.Incentives = []incentive.State{{Incentive: a}, {Incentive: b}}
	o := incentive.Decide(in)
	if got, want := describe(o), "enter ana/D1, win ana/D1, enter ana/D1, win ana/D1, enter bo/D2, enter bo/D2"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := o.Paid(); !slices.Equal(got, []string{"ana"}) {
		t.Fatalf("paid %v, want ana once", got)
	}
	notices := o.Notices(map[string]bullpen.Balance{"ana": {Points: 250, Version: 9}}, map[string]bullpen.Rep{"ana": {RepID: "ana", Name: "Ana"}})
	var types []string
	for _, n := range notices {
		types = append(types, n.Channel+" "+n.Type)
	}
	if want := []string{"rep:ana reward", "floor incentive.won", "rep:ana reward", "floor incentive.won"}; !slices.Equal(types, want) {
		t.Fatalf("notices %v, want %v", types, want)
	}
}

func TestChangesPayAndExplainThemselves(t *testing.T) {
	inc := spot(1)
	for _, tc := range []struct {
		name   string
		change incentive.Change
		points int64
		reason bullpen.LedgerReason
		note   string
	}{
		{"a win pays the reward", incentive.Change{Kind: incentive.Won, Incentive: inc, Entry: entry("ana", "D1")},
			200, bullpen.ReasonIncentive, "200 points: First to close $5k+, deal D1"},
		{"a clawback takes it back", incentive.Change{Kind: incentive.ClawedBack, Incentive: inc, Entry: entry("ana", "D1")},
			-200, bullpen.ReasonClawback, `-200 points: deal D1 was reversed, so its reward from "First to close $5k+" is taken back`},
		{"an entry pays nothing", incentive.Change{Kind: incentive.Entered, Incentive: inc, Entry: entry("ana", "D1")},
			0, bullpen.ReasonIncentive, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.change
			if c.Points() != tc.points || c.Reason() != tc.reason || c.Note() != tc.note {
				t.Fatalf("got %d %s %q", c.Points(), c.Reason(), c.Note())
			}
		})
	}
}

func TestFreesPlace(t *testing.T) {
	closed := spot(1)
	ended := now.Add(-time.Minute)
	closed.EndedAt = &ended
	holding := []incentive.Entry{entry("ana", "D1")}
	for _, tc := range []struct {
		name  string
		state incentive.State
		in    incentive.Input
		want  bool
	}{
		{"a reversal of a holder's deal may free a place", incentive.State{Incentive: spot(1), Holders: holding},
			batch([]string{"ana/D1"}, reversed("D1")), true},
		{"a reversal of a deal the batch won may free a place", incentive.State{Incentive: spot(1)},
			batch(nil, won("bo", "D2"), reversed("D2")), true},
		{"a reversal of another deal frees none", incentive.State{Incentive: spot(1), Holders: holding},
			batch([]string{"bo/D2"}, reversed("D2")), false},
		{"wins alone free none", incentive.State{Incentive: spot(1), Holders: holding},
			batch(nil, won("bo", "D2")), false},
		{"a closed incentive passes no place on", incentive.State{Incentive: closed, Holders: holding},
			batch([]string{"ana/D1"}, reversed("D1")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.state.FreesPlace(tc.in.Applied, now); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}
