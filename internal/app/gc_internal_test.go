package app

import "testing"

// The server's heap may grow by half its live size, by at least 64 MB, and up to 128 MB: a
// small heap is not collected every few MB, and a large one keeps the 50 % its memory per
// socket was measured at.
func TestTheServersGCPercentLeavesAtLeastTheHeadroom(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 1000},        // nothing live yet
		{8 << 20, 1000},  // to 128 MB would be 1500 %: bounded
		{16 << 20, 700},  // to 128 MB
		{32 << 20, 300},  // to 128 MB
		{50 << 20, 150},  // 156 % to 128 MB, in steps of 10
		{64 << 20, 100},  // to 128 MB, and 64 MB of growth
		{80 << 20, 80},   // 64 MB of growth is more than to 128 MB
		{100 << 20, 60},  // 64 %, in steps of 10
		{128 << 20, 50},  // 50 % is the headroom
		{1024 << 20, 50}, // and more than it
	} {
		if got := serverGCPercentFor(tc.live); got != tc.want {
			t.Errorf("live %d MB: %d %%, want %d", tc.live>>20, got, tc.want)
		}
	}
}
