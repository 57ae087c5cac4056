package ingest_test

import (
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
)

var t0 = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

func newContest(id, metric, scope string) *contest.Contest {
	end := t0.Add(30 * 24 * time.Hour)
	c := &contest.Contest{ID: id, Name: id, Metric: metric, Scope: scope, StartsAt: t0.Add(-time.Hour), EndsAt: &end,
		Weights: map[string]bullpen.Fixed{"deal.won": 1000, "call": 100}}
	if metric != contest.MetricPoints {
		c.Weights = nil
	}
	if err := c.Normalize(); err != nil {
		panic(err)
	}
	c.ID = id
	return c
}

func won(id, rep, deal string, amount bullpen.Fixed, at time.Time) event.Event {
	return event.Event{EventID: id, Type: event.DealWon, RepID: rep, DealID: deal, Amount: amount, HasAmount: true, Units: 1, OccurredAt: at,
		TeamID: "east", HasTeam: true}
}

func key(c, entrant string) ingest.BoardKey {
	return ingest.BoardKey{ContestID: c, PeriodKey: contest.PeriodKeyNone, Entrant: entrant}
}

func TestApplyFollowsADealThroughWinUpdateAndReversal(t *testing.T) {
	rev, team := newContest("rev", contest.MetricRevenue, contest.ScopeRep), newContest("team", contest.MetricDeals, contest.ScopeTeam)
	out := ingest.Apply(ingest.Input{
		Contests: []*contest.Contest{rev, team},
		Events: []event.Event{
			won("e1", "ana", "D1", 10000, t0),
			won("e2", "ana", "D1", 99900, t0.Add(time.Minute)), // already won: changes nothing
			{EventID: "e3", Type: event.DealUpdated, RepID: "ana", DealID: "D1", Amount: 15000, HasAmount: true, OccurredAt: t0.Add(2 * time.Minute)},
			{EventID: "e4", Type: event.DealReversed, RepID: "ana", DealID: "D2", OccurredAt: t0}, // never won
		},
	})
	if got := out.Moves[key("rev", "ana")]; got.Delta != 15000 || !got.ReachedAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("revenue move %+v, want +150.00 reached at the update", got)
	}
	if got := out.Moves[key("team", "east")]; got.Delta != 100 {
		t.Fatalf("team deals move %+v, want one deal", got)
	}
	changed := []bool{true, false, true, false}
	for i, a := range out.Applied {
		if a.Changed != changed[i] {
			t.Errorf("event %s changed = %v", a.Event.EventID, a.Changed)
		}
	}
	d := out.Deals["D1"]
	if d == nil || !d.Won || d.Amount != 15000 || len(d.Counted) != 2 || d.Counted[0].Value != 15000 {
		t.Fatalf("deal D1 %+v", d)
	}

	// Reversing it later takes the current value off both boards.
	out2 := ingest.Apply(ingest.Input{Contests: []*contest.Contest{rev, team}, Deals: map[string]*ingest.Deal{"D1": d},
		Events: []event.Event{{EventID: "e5", Type: event.DealReversed, RepID: "ana", DealID: "D1", OccurredAt: t0.Add(time.Hour)}}})
	if out2.Moves[key("rev", "ana")].Delta != -15000 || out2.Moves[key("team", "east")].Delta != -100 || out2.Deals["D1"].Won {
		t.Fatalf("reversal moves %+v", out2.Moves)
	}
}

func TestApplyLeavesFinalContestsAlone(t *testing.T) {
	rev := newContest("rev", contest.MetricRevenue, contest.ScopeRep)
	d := &ingest.Deal{DealID: "D1", RepID: "ana", Won: true, Amount: 100, Units: 1,
		Counted: []ingest.Counted{{ContestID: "gone", PeriodKey: contest.PeriodKeyNone, Entrant: "ana", Value: 100}, {ContestID: "rev", PeriodKey: contest.PeriodKeyNone, Entrant: "ana", Value: 100}}}
	out := ingest.Apply(ingest.Input{Contests: []*contest.Contest{rev}, Deals: map[string]*ingest.Deal{"D1": d},
		Events: []event.Event{{EventID: "u", Type: event.DealUpdated, RepID: "ana", DealID: "D1", Amount: 300, HasAmount: true, OccurredAt: t0}}})
	if _, touched := out.Moves[key("gone", "ana")]; touched {
		t.Fatal("a contest no longer live was moved")
	}
	if out.Moves[key("rev", "ana")].Delta != 200 {
		t.Fatalf("moves %+v", out.Moves)
	}
}

func TestApplyCountsOnlyParticipantsInsideTheWindow(t *testing.T) {
	pts := newContest("pts", contest.MetricPoints, contest.ScopeRep)
	pts.Participants = &contest.Participants{Teams: []string{"east"}}
	call := func(id, rep, team string, at time.Time) event.Event {
		return event.Event{EventID: id, Type: event.Activity, Activity: "call", RepID: rep, TeamID: team, HasTeam: team != "", OccurredAt: at}
	}
	out := ingest.Apply(ingest.Input{Contests: []*contest.Contest{pts}, Reps: map[string]bullpen.Rep{"cy": {RepID: "cy", TeamID: "east"}}, Events: []event.Event{
		call("1", "ana", "east", t0),
		call("2", "bo", "west", t0),                    // not a participant
		call("3", "ana", "east", t0.Add(-2*time.Hour)), // before the start
		{EventID: "4", Type: event.Activity, Activity: "email", RepID: "ana", OccurredAt: t0}, // no weight
		call("5", "cy", "", t0), // team from the directory
	}})
	if len(out.Moves) != 2 || out.Moves[key("pts", "ana")].Delta != 100 || out.Moves[key("pts", "cy")].Delta != 100 {
		t.Fatalf("moves %+v", out.Moves)
	}
	if len(out.Contributions) != 2 {
		t.Fatalf("contributions %+v", out.Contributions)
	}
}

func TestApplyRecordsOnlyDirectoryChanges(t *testing.T) {
	named := func(id, name, team string) event.Event {
		return event.Event{EventID: id, Type: event.Activity, Activity: "call", RepID: "ana", RepName: name, HasName: true, TeamID: team, HasTeam: true, OccurredAt: t0}
	}
	out := ingest.Apply(ingest.Input{Reps: map[string]bullpen.Rep{"ana": {RepID: "ana", Name: "Ana", TeamID: "east"}},
		Events: []event.Event{named("1", "Ana", "east")}})
	if len(out.Reps) != 0 {
		t.Fatalf("an unchanged rep was written: %+v", out.Reps)
	}
	out = ingest.Apply(ingest.Input{Reps: map[string]bullpen.Rep{"ana": {RepID: "ana", Name: "Ana", TeamID: "east"}},
		Events: []event.Event{named("1", "Ana Ruiz", "east"), named("2", "Ana Ruiz", "west")}})
	if got := out.Reps["ana"]; got != (bullpen.Rep{RepID: "ana", Name: "Ana Ruiz", TeamID: "west"}) {
		t.Fatalf("directory change %+v", got)
	}
}
