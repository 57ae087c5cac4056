package app

import "testing"

// The server's heap may grow by half its live size, and by at least 64 MB: a small heap is not
// collected every few MB, and a large one keeps the 50 % its memory per socket was measured at.
func TestTheServersGCPercentLeavesAtLeastTheHeadroom(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 400},         // nothing live yet
		{8 << 20, 400},   // 64 MB would be 800 %: bounded
		{32 << 20, 200},  // 64 MB of growth
		{50 << 20, 120},  // 128 %, in steps of 10
		{64 << 20, 100},  //
		{128 << 20, 50},  // 50 % is the headroom
		{1024 << 20, 50}, // and more than it
	} {
		if got := serverGCPercentFor(tc.live); got != tc.want {
			t.Errorf("live %d MB: %d %%, want %d", tc.live>>20, got, tc.want)
		}
	}
}
