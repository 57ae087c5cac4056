package redis_test

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// Directory entries are decoded once and kept by their JSON; a changed entry is still read as
// it is now, from the first read after the change.
func TestRepsReadsAChangedEntryAtOnce(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	read := func(want map[string]bullpen.Rep) {
		t.Helper()
		got, err := s.Reps(ctx, []string{"ana", "bo", "nobody"})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("reps %v, want %v", got, want)
		}
	}
	ana, bo := bullpen.Rep{RepID: "ana", Name: "Ana", TeamID: "east"}, bullpen.Rep{RepID: "bo", Name: "Bo", TeamID: "west"}
	if err := s.SetReps(ctx, []bullpen.Rep{ana, bo}); err != nil {
		t.Fatal(err)
	}
	read(map[string]bullpen.Rep{"ana": ana, "bo": bo})
	read(map[string]bullpen.Rep{"ana": ana, "bo": bo})
	moved := bullpen.Rep{RepID: "ana", Name: "Ana Ruiz", TeamID: "west"}
	if err := s.SetReps(ctx, []bullpen.Rep{moved}); err != nil {
		t.Fatal(err)
	}
	read(map[string]bullpen.Rep{"ana": moved, "bo": bo})
}

// A reader putting back what it found in PostgreSQL adds what is missing and writes over
// nothing: the entry there may be the consumer's, newer than that read.
func TestAddRepsLeavesTheEntriesRedisHas(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	moved := bullpen.Rep{RepID: "ana", Name: "Ana Ruiz", TeamID: "west"}
	if err := s.SetReps(ctx, []bullpen.Rep{moved}); err != nil {
		t.Fatal(err)
	}
	stale, bo := bullpen.Rep{RepID: "ana", Name: "Ana", TeamID: "east"}, bullpen.Rep{RepID: "bo", Name: "Bo", TeamID: "west"}
	if err := s.AddReps(ctx, []bullpen.Rep{stale, bo}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Reps(ctx, []string{"ana", "bo"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bullpen.Rep{"ana": moved, "bo": bo}; !maps.Equal(got, want) {
		t.Fatalf("reps %v, want %v", got, want)
	}
}

// LearnTeams reads the whole directory, over as many pages as it takes, into what KnownTeam
// answers from.
func TestLearnTeamsKnowsEveryRepsTeam(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	reps := make([]bullpen.Rep, 2500) // a hash table, scanned in pages
	for i := range reps {
		reps[i] = bullpen.Rep{RepID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("Rep %d", i), TeamID: fmt.Sprintf("t%d", i%7)}
	}
	if err := s.SetReps(ctx, reps); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.KnownTeam("r1"); ok {
		t.Fatal("r1's team known before any read")
	}
	n, err := s.LearnTeams(ctx)
	if err != nil || n != len(reps) {
		t.Fatalf("learnt %d, %v; want %d", n, err, len(reps))
	}
	for _, r := range reps {
		if team, ok := s.KnownTeam(r.RepID); !ok || team != r.TeamID {
			t.Fatalf("%s: team %q (%v), want %q", r.RepID, team, ok, r.TeamID)
		}
	}
}

// A node started while the projection is being rebuilt learns the directory once the rebuild
// has marked it complete, not the part written so far.
func TestLearnTeamsOnceCompleteWaitsForTheRebuild(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	if err := s.SetReps(ctx, []bullpen.Rep{{RepID: "ana", TeamID: "east"}}); err != nil {
		t.Fatal(err)
	}
	type learnt struct {
		n   int
		err error
	}
	done := make(chan learnt, 1)
	go func() {
		n, err := s.LearnTeamsOnceComplete(ctx, 10*time.Millisecond)
		done <- learnt{n, err}
	}()
	time.Sleep(50 * time.Millisecond) // a few checks of an incomplete projection
	if err := s.SetReps(ctx, []bullpen.Rep{{RepID: "bo", TeamID: "west"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetGeneration(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got.err != nil || got.n != 2 {
		t.Fatalf("learnt %d, %v; want both reps", got.n, got.err)
	}
	if team, ok := s.KnownTeam("bo"); !ok || team != "west" {
		t.Fatalf("bo's team %q (%v), written before the mark", team, ok)
	}
}
