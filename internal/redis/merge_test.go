package redis_test

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestMergeLeaseHasOneHolderUntilItLapses(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	hold := func(who string, want bool) {
		t.Helper()
		got, err := s.HoldMergeLease(ctx, who, 300*time.Millisecond)
		if err != nil || got != want {
			t.Fatalf("%s holds the lease: %v (%v), want %v", who, got, err, want)
		}
	}
	hold("a", true)
	hold("b", false)
	hold("a", true) // renewed
	time.Sleep(400 * time.Millisecond)
	hold("b", true) // a stopped renewing
	hold("a", false)
}

func TestChangedContestsAreTakenOnce(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	if err := s.MarkChanged(ctx, []string{"c1", "c2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkChanged(ctx, []string{"c2", "c3"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.TakeChanged(ctx)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"c1", "c2", "c3"}) {
		t.Fatalf("taken %v (%v)", got, err)
	}
	if again, err := s.TakeChanged(ctx); err != nil || len(again) != 0 {
		t.Fatalf("taken again %v (%v)", again, err)
	}
}
