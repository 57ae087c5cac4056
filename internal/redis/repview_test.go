package redis_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/ingest"
	"bullpen/internal/standings"
	"bullpen/internal/target"
	"bullpen/internal/testenv"
)

// seedRepPage writes what ana's page reads: her entry (team east), her balance, her row of
// target set 1 (set 2 has none of hers) and rows on boards "rev" and "team".
func seedRepPage(t *testing.T, s interface {
	SetReps(context.Context, []bullpen.Rep) error
	SetBalances(context.Context, map[string]bullpen.Balance) error
	SetAttainment(context.Context, []target.Value) error
	SetRows(context.Context, []ingest.Row) error
}) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	row := func(contest, entrant string, score bullpen.Fixed) ingest.Row {
		return ingest.Row{BoardKey: ingest.BoardKey{ContestID: contest, PeriodKey: "2026-12", Entrant: entrant}, Score: score, ReachedAt: at, Version: 1}
	}
	for _, err := range []error{
		s.SetReps(ctx, []bullpen.Rep{{RepID: "ana", Name: "Ana", TeamID: "east"}}),
		s.SetBalances(ctx, map[string]bullpen.Balance{"ana": {Points: 42, Version: 3}}),
		s.SetAttainment(ctx, []target.Value{{SetID: 1, RepID: "ana", Value: 12000, Version: 1}, {SetID: 2, RepID: "bo", Value: 5, Version: 1}}),
		s.SetRows(ctx, []ingest.Row{row("rev", "ana", 12000), row("rev", "bo", 50000), row("team", "east", 70000), row("team", "west", 100)}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// ReadRep answers what the single reads answer (Reps, Balance, RepAttainment, Places), in one
// round trip; the first call finds Redis without the place script and loads it.
func TestReadRepReadsARepsPageInOneRoundTrip(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	seedRepPage(t, s)
	trips := testenv.CountRoundTrips(s.Client())
	q := standings.RepQuery{RepID: "ana", Balance: true, SetIDs: []int64{1, 2},
		Places: []standings.PlaceQuery{{ContestID: "rev", PeriodKey: "2026-12", Entrant: "ana"}, {ContestID: "team", PeriodKey: "2026-12", Entrant: "east"},
			{ContestID: "gone", PeriodKey: "2026-12", Entrant: "ana"}}}
	flushScripts(t)
	if _, err := s.ReadRep(ctx, q); err != nil {
		t.Fatalf("after the script cache was flushed: %v", err)
	}
	trips.Reset()
	got, err := s.ReadRep(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if tr := trips.Trips(); !slices.Equal(tr, []string{"hmget+hget+get+hget+hget+evalsha+evalsha+evalsha"}) {
		t.Fatalf("round trips %q, want one pipeline of every read", tr)
	}

	dir, err1 := s.Reps(ctx, []string{"ana"})
	balance, ok, err2 := s.Balance(ctx, "ana")
	att, err3 := s.RepAttainment(ctx, q.SetIDs, "ana")
	places, err4 := s.Places(ctx, q.Places)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got.Rep != dir["ana"] || !got.RepFound || got.RepErr != nil || got.Rep.TeamID != "east" {
		t.Fatalf("entry %+v found %v (%v), want %+v", got.Rep, got.RepFound, got.RepErr, dir["ana"])
	}
	if got.Balance != balance || got.BalanceFound != ok || got.BalanceErr != nil || balance != 42 {
		t.Fatalf("balance %d found %v (%v), want %d", got.Balance, got.BalanceFound, got.BalanceErr, balance)
	}
	if !maps.Equal(got.Attainment, att) || len(att) != 1 || att[1] != 12000 {
		t.Fatalf("attainment %v, want %v", got.Attainment, att)
	}
	if !reflect.DeepEqual(got.Places, places) || !places[0].OK || places[0].Row.Position != 1 || !places[1].OK || places[1].Row.Position != 0 || places[2].OK {
		t.Fatalf("places %+v, want %+v", got.Places, places)
	}
}

// A read not asking for the balance or attainment sends neither; a rep the projection lacks
// is not found, nor is its balance, and that is no error.
func TestReadRepReadsOnlyWhatItIsAsked(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	seedRepPage(t, s)
	trips := testenv.CountRoundTrips(s.Client())
	got, err := s.ReadRep(ctx, standings.RepQuery{RepID: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	if tr := trips.Trips(); !slices.Equal(tr, []string{"hmget"}) || !got.RepFound || got.BalanceFound || len(got.Attainment) != 0 || len(got.Places) != 0 {
		t.Fatalf("round trips %q, read %+v", tr, got)
	}
	got, err = s.ReadRep(ctx, standings.RepQuery{RepID: "nobody", Balance: true, SetIDs: []int64{1},
		Places: []standings.PlaceQuery{{ContestID: "rev", PeriodKey: "2026-12", Entrant: "nobody"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.RepFound || got.RepErr != nil || got.BalanceFound || got.BalanceErr != nil || len(got.Attainment) != 0 || len(got.Places) != 1 || got.Places[0].OK {
		t.Fatalf("a rep the projection lacks: %+v", got)
	}
}

// KnownTeam is the team of the entry read last, from memory: none before a read, the new
// team from the first read after a change.
func TestKnownTeamIsTheTeamOfTheEntryReadLast(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	seedRepPage(t, s)
	if team, ok := s.KnownTeam("ana"); ok {
		t.Fatalf("a team %q known before any read", team)
	}
	read := func(want string) {
		t.Helper()
		if _, err := s.ReadRep(ctx, standings.RepQuery{RepID: "ana"}); err != nil {
			t.Fatal(err)
		}
		if team, ok := s.KnownTeam("ana"); !ok || team != want {
			t.Fatalf("known team %q (%v), want %q", team, ok, want)
		}
	}
	read("east")
	if err := s.SetReps(ctx, []bullpen.Rep{{RepID: "ana", Name: "Ana", TeamID: "west"}}); err != nil {
		t.Fatal(err)
	}
	read("west")
	if _, err := s.Reps(ctx, []string{"ana"}); err != nil { // the board pages' reads teach it too
		t.Fatal(err)
	}
	if team, _ := s.KnownTeam("ana"); team != "west" {
		t.Fatalf("known team %q after a directory read", team)
	}
}

// The memo keeps its own copy of a rep's id: a request's id is its bytes, which Fiber reuses
// for the next request once this one is answered.
func TestKnownTeamOutlivesTheRequestsBytes(t *testing.T) {
	s := mustStore(t)
	seedRepPage(t, s)
	b := []byte("ana")
	id := unsafe.String(&b[0], len(b)) // as Fiber's c.Params gives it
	if _, err := s.ReadRep(context.Background(), standings.RepQuery{RepID: id}); err != nil {
		t.Fatal(err)
	}
	copy(b, "zed") // the next request
	if team, ok := s.KnownTeam("ana"); !ok || team != "east" {
		t.Fatalf("known team %q (%v) after the request's bytes changed, want east", team, ok)
	}
}

// When Redis does not answer, the entry and the balance each carry the error (their readers
// fall back to the ledger) and the read fails (the places have no fallback).
func TestReadRepWithoutRedisReportsEachPartsError(t *testing.T) {
	s := testenv.OpenStore(t, config.Config{RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.Name("t")})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadRep(context.Background(), standings.RepQuery{RepID: "ana", Balance: true,
		Places: []standings.PlaceQuery{{ContestID: "rev", PeriodKey: "2026-12", Entrant: "ana"}}})
	if err == nil || got.RepErr == nil || got.BalanceErr == nil || got.RepFound || got.BalanceFound {
		t.Fatalf("read %+v, %v: want the entry's, the balance's and the read's errors", got, err)
	}
}

// A balance the projection lacks is 0 once the projection is complete (its generation mark
// set, as a rebuild leaves it), and not found, for the ledger to answer, before it is or
// after a flush.
func TestAMissingBalanceIsZeroOnlyInACompleteProjection(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	if err := s.SetBalances(ctx, map[string]bullpen.Balance{"ana": {Points: 7, Version: 1}}); err != nil {
		t.Fatal(err)
	}
	read := func(rep string) string {
		t.Helper()
		r, err := s.ReadRep(ctx, standings.RepQuery{RepID: rep, Balance: true})
		if err != nil || r.BalanceErr != nil {
			t.Fatal(err, r.BalanceErr)
		}
		return fmt.Sprintf("%d %v", r.Balance, r.BalanceFound)
	}
	if got := read("bo") + ", " + read("ana"); got != "0 false, 7 true" {
		t.Fatalf("no generation mark: %s", got)
	}
	if err := s.SetGeneration(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if got := read("bo") + ", " + read("ana"); got != "0 true, 7 true" {
		t.Fatalf("a complete projection: %s", got)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := read("bo"); got != "0 false" {
		t.Fatalf("after a flush: %s", got)
	}
}
