package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/coaching"
	"bullpen/internal/event"
)

func TestCoachingTalliesCountWinsAndActivitiesOfTheRange(t *testing.T) {
	db := mustDB(t)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ev := func(id string, typ event.Type, occurred, rep, team string) event.Event {
		e := event.Event{EventID: id, Type: typ, OccurredAt: at(occurred), ArrivedAt: time.Now(), RepID: rep, RepName: rep + " name", HasName: true}
		if team != "" {
			e.TeamID, e.HasTeam = team, true
		}
		return e
	}
	act := func(id, occurred, rep, team, name string) event.Event {
		e := ev(id, event.Activity, occurred, rep, team)
		e.Activity = name
		return e
	}
	deal := func(id string, typ event.Type, occurred, rep, team, dealID string, amount bullpen.Fixed) event.Event {
		e := ev(id, typ, occurred, rep, team)
		e.DealID, e.Amount, e.HasAmount, e.Units = dealID, amount, typ != event.DealReversed, 1
		return e
	}
	mustApply(t, db,
		// ana (east): two calls and an email in March; one call just before it and one at
		// its (exclusive) end do not count.
		act("a1", "2026-03-02T10:00:00Z", "ana", "east", "call"),
		act("a2", "2026-03-03T10:00:00Z", "ana", "east", "call"),
		act("a3", "2026-03-05T10:00:00Z", "ana", "east", "email"),
		act("a4", "2026-02-28T23:59:59Z", "ana", "east", "call"),
		act("a5", "2026-04-01T00:00:00Z", "ana", "east", "call"),
		// D1 won in March, its amount updated in April: it counts at 1,200.50.
		deal("d1", event.DealWon, "2026-03-10T12:00:00Z", "ana", "east", "D1", 100000),
		deal("d1u", event.DealUpdated, "2026-04-05T12:00:00Z", "ana", "east", "D1", 120050),
		// D2 reversed: it does not count. D3 was won in February.
		deal("d2", event.DealWon, "2026-03-11T12:00:00Z", "ana", "east", "D2", 50000),
		deal("d2r", event.DealReversed, "2026-03-12T12:00:00Z", "ana", "east", "D2", 0),
		deal("d3", event.DealWon, "2026-02-27T12:00:00Z", "ana", "east", "D3", 999900),
		// bo was in west for a call and a deal, then moved to east: both come along.
		act("b1", "2026-03-04T10:00:00Z", "bo", "west", "call"),
		deal("d4", event.DealWon, "2026-03-15T12:00:00Z", "bo", "west", "D4", 30000),
		act("b2", "2026-03-20T10:00:00Z", "bo", "east", "demo"),
		// cy (west): a call and D5; D6 won, reversed, then won again by ana on the 25th.
		act("c1", "2026-03-06T10:00:00Z", "cy", "west", "call"),
		deal("d5", event.DealWon, "2026-03-07T12:00:00Z", "cy", "west", "D5", 70000),
		deal("d6", event.DealWon, "2026-03-08T12:00:00Z", "cy", "west", "D6", 40000),
		deal("d6r", event.DealReversed, "2026-03-09T12:00:00Z", "cy", "west", "D6", 0),
		deal("d6w", event.DealWon, "2026-03-25T12:00:00Z", "ana", "east", "D6", 25000),
		// dee (east) did nothing in March.
		act("e1", "2026-01-10T10:00:00Z", "dee", "east", "call"),
	)
	// A redelivered activity is not counted twice.
	mustApply(t, db, act("a2", "2026-03-03T10:00:00Z", "ana", "east", "call"))

	march := coaching.Range{From: at("2026-03-01T00:00:00Z"), To: at("2026-04-01T00:00:00Z")}
	tally := func(rep, team string, acts map[string]int64, deals int64, amount bullpen.Fixed) coaching.Tally {
		return coaching.Tally{Rep: bullpen.Rep{RepID: rep, Name: rep + " name", TeamID: team}, Activities: acts, DealsWon: deals, AmountWon: amount}
	}
	ana := tally("ana", "east", map[string]int64{"call": 2, "email": 1}, 2, 145050) // D1 1,200.50 + D6 250.00
	bo := tally("bo", "east", map[string]int64{"call": 1, "demo": 1}, 1, 30000)
	cy := tally("cy", "west", map[string]int64{"call": 1}, 1, 70000)
	dee := tally("dee", "east", map[string]int64{}, 0, 0)

	cases := []struct {
		name, team, rep string
		want            []coaching.Tally
	}{
		{"a team, as the directory has it now", "east", "", []coaching.Tally{ana, bo, dee}},
		{"one rep", "", "cy", []coaching.Tally{cy}},
		{"a team and a rep of another", "east", "cy", []coaching.Tally{ana, bo, cy, dee}},
		{"a team nobody is in", "north", "", []coaching.Tally{}},
	}
	for _, tc := range cases {
		got, err := db.CoachingTallies(context.Background(), tc.team, tc.rep, march)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}
