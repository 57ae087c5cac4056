package target_test

import (
	"testing"

	"bullpen/internal/target"
)

func TestARemovedSetsMarkCarriesItsKey(t *testing.T) {
	for _, k := range []target.SetKey{
		{Period: "2026-11", Metric: "revenue", TeamID: "east"},
		{Period: "2026-Q4", Metric: "points", TeamID: "emea/north:2"}, // a team may hold / and :
	} {
		mark := target.RemovedMark(42, k)
		id, got, ok := target.ParseRemovedMark(mark)
		if !ok || id != 42 || got != k {
			t.Errorf("%q: %d %+v %v, want 42 %+v", mark, id, got, ok, k)
		}
		if _, ok := target.ParseMark(mark); ok {
			t.Errorf("%q reads as a set's own mark", mark)
		}
	}
	if _, _, ok := target.ParseRemovedMark(target.Mark(42)); ok {
		t.Error("a set's own mark reads as a removal")
	}
	for _, bad := range []string{"t-:x:2026-11/revenue/east", "t-:42:2026-11/revenue", "t-:42"} {
		if _, _, ok := target.ParseRemovedMark(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
