package ingest_test

import (
	"maps"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
	"bullpen/internal/message"
)

func TestContribute(t *testing.T) {
	pts := newContest("pts", contest.MetricPoints, contest.ScopeRep)
	pts.Participants = &contest.Participants{Teams: []string{"east"}}
	team := newContest("team", contest.MetricRevenue, contest.ScopeTeam)
	call := event.Event{EventID: "c", Type: event.Activity, Activity: "call", RepID: "ana", OccurredAt: t0, ArrivedAt: t0}
	for _, tc := range []struct {
		name  string
		c     *contest.Contest
		ev    event.Event
		team  string
		key   ingest.BoardKey
		value bullpen.Fixed
		ok    bool
	}{
		{"a won deal scores its value for its rep", pts, won("w", "ana", "D1", 10000, t0), "east", key("pts", "ana"), 1000, true},
		{"a weighed activity scores its weight", pts, call, "east", key("pts", "ana"), 100, true},
		{"an activity without a weight scores nothing", pts, event.Event{Type: event.Activity, Activity: "email", RepID: "ana", OccurredAt: t0}, "east", ingest.BoardKey{}, 0, false},
		{"a rep of another team scores nothing", pts, call, "west", ingest.BoardKey{}, 0, false},
		{"an event before the start scores nothing", pts, won("w", "ana", "D1", 10000, t0.Add(-2*time.Hour)), "east", ingest.BoardKey{}, 0, false},
		{"an event that arrived after the board was final scores nothing", pts,
			event.Event{EventID: "c", Type: event.Activity, Activity: "call", RepID: "ana", OccurredAt: t0, ArrivedAt: t0.Add(60 * 24 * time.Hour)},
			"east", ingest.BoardKey{}, 0, false},
		{"a team board scores for the team", team, won("w", "ana", "D1", 10000, t0), "east", key("team", "east"), 10000, true},
		{"a rep without a team scores nothing on a team board", team, won("w", "ana", "D1", 10000, t0), "", ingest.BoardKey{}, 0, false},
		{"a reversal scores nothing by itself", pts, event.Event{Type: event.DealReversed, RepID: "ana", DealID: "D1", OccurredAt: t0}, "east", ingest.BoardKey{}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, v, ok := ingest.Contribute(tc.c, tc.ev, tc.team, time.Minute)
			if k != tc.key || v != tc.value || ok != tc.ok {
				t.Fatalf("got %+v %v %v, want %+v %v %v", k, v, ok, tc.key, tc.value, tc.ok)
			}
		})
	}
}

// A recount of what a batch left in the ledger moves the boards exactly as the batch did.
func TestARecountMovesTheBoardsAsTheBatchDid(t *testing.T) {
	pts := newContest("pts", contest.MetricPoints, contest.ScopeRep)
	activity := func(id, rep string, at time.Time) event.Event {
		return event.Event{EventID: id, Type: event.Activity, Activity: "call", RepID: rep, OccurredAt: at, ArrivedAt: at}
	}
	events := []event.Event{
		won("1", "ana", "D1", 10000, t0.Add(time.Minute)),
		activity("2", "ana", t0),
		won("3", "bo", "D2", 20000, t0),
		{EventID: "4", Type: event.DealUpdated, RepID: "bo", DealID: "D2", Amount: 30000, HasAmount: true, OccurredAt: t0.Add(time.Hour)},
		won("5", "cy", "D3", 5000, t0),
		{EventID: "6", Type: event.DealReversed, RepID: "cy", DealID: "D3", OccurredAt: t0.Add(time.Hour)},
		activity("7", "cy", t0.Add(2*time.Minute)),
	}
	for i := range events {
		events[i].ArrivedAt = t0
	}
	out := ingest.Apply(ingest.Input{Contests: []*contest.Contest{pts}, Events: events})

	r := ingest.NewRecount(pts, 0)
	for _, d := range out.Deals {
		if d.Won {
			r.Deal(d, t0)
		}
	}
	for _, ev := range events {
		if ev.Type == event.Activity {
			r.Activity(ev, "east")
		}
	}
	want := map[ingest.BoardKey]bullpen.Fixed{key("pts", "ana"): 1100, key("pts", "bo"): 1000, key("pts", "cy"): 100}
	scores := func(moves map[ingest.BoardKey]ingest.Move) map[ingest.BoardKey]bullpen.Fixed {
		s := map[ingest.BoardKey]bullpen.Fixed{}
		for k, m := range moves {
			s[k] = m.Delta
		}
		return s
	}
	if got := scores(out.Moves); !maps.Equal(got, want) {
		t.Fatalf("batch scores %v, want %v", got, want)
	}
	if got := scores(r.Moves); !maps.Equal(got, want) {
		t.Fatalf("recount scores %v, want %v", got, want)
	}
	// The batch's reached_at counts the update and the reversal; the recount only what still scores.
	if got := r.Moves[key("pts", "ana")].ReachedAt; !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("ana reached her score at %v, want at her deal", got)
	}
	if len(r.Counted) != 2 || r.Counted["D1"].Value != 1000 || r.Counted["D2"].Value != 1000 {
		t.Fatalf("counted deals %+v", r.Counted)
	}
	if len(r.Contributions) != 4 {
		t.Fatalf("recount contributions %+v, want 2 deals and 2 calls", r.Contributions)
	}
}

func TestApplyCelebratesEachDealWonOnceWithTheLatestName(t *testing.T) {
	named := won("1", "ana", "D1", 10000, t0)
	named.RepName, named.HasName = "Ana", true
	renamed := event.Event{EventID: "3", Type: event.Activity, Activity: "call", RepID: "ana", RepName: "Ana Ruiz", HasName: true, OccurredAt: t0}
	out := ingest.Apply(ingest.Input{Events: []event.Event{named, won("2", "ana", "D1", 10000, t0), renamed}})
	if len(out.Notices) != 1 {
		t.Fatalf("notices %+v, want one celebration", out.Notices)
	}
	n := out.Notices[0]
	c, ok := n.Data.(*message.Celebration)
	if n.Channel != bullpen.ChannelFloor || n.Type != message.TypeCelebration || !ok || c.Name != "Ana Ruiz" || c.TeamID != "east" ||
		c.DealID != "D1" || c.EventID != "1" || c.Amount != 10000 {
		t.Fatalf("notice %+v with %+v", n, n.Data)
	}
}
