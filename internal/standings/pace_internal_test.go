package standings

import (
	"fmt"
	"testing"

	"bullpen/internal/bullpen"
)

// rankPace does not assume the board's order: given projections out of it (which the method
// today never makes, see AddPace), it ranks by projection and keeps board order on ties.
func TestRankPaceOrdersByProjectionAndKeepsBoardOrderOnTies(t *testing.T) {
	projected := []bullpen.Fixed{300, 500, 300, 900}
	entries := make([]Entry, len(projected))
	for i := range entries {
		entries[i] = Entry{Rank: int64(11 + i), Projected: &projected[i]}
	}
	rankPace(entries)
	got := make([]int64, len(entries))
	for i, e := range entries {
		got[i] = e.PaceRank
	}
	// 900 is first (#11 of this page starting at rank 11), 500 next (#12), then the two 300s
	// in board order: rank 11's before rank 13's (#13, #14).
	if fmt.Sprint(got) != "[13 12 14 11]" {
		t.Fatalf("pace ranks %v, want [13 12 14 11]", got)
	}
}
