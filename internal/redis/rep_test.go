package redis_test

import (
	"context"
	"maps"
	"testing"

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
