package target

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// crossCompare takes the int64 shortcut only where no product overflows: around its limit, at
// the extremes of int64 and far below it, it orders a×b against c×d as exact arithmetic does.
func TestCrossCompareIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	near := func() int64 {
		switch r.IntN(4) {
		case 0:
			return r.Int64N(2_000_000) - 1_000_000
		case 1:
			return 2_000_000_000 + r.Int64N(4_000_000_000) // around the limit, both sides
		case 2:
			return -(2_000_000_000 + r.Int64N(4_000_000_000))
		default:
			return math.MaxInt64 - r.Int64N(1_000_000)
		}
	}
	for range 200_000 {
		a, b, c, d := near(), near(), near(), near()
		want := new(big.Int).Mul(big.NewInt(a), big.NewInt(b)).Cmp(new(big.Int).Mul(big.NewInt(c), big.NewInt(d)))
		if got := crossCompare(a, b, c, d); got != want {
			t.Fatalf("crossCompare(%d, %d, %d, %d) = %d, want %d", a, b, c, d, got, want)
		}
	}
	// 3.1e9² does not fit in int64 (it would wrap to a negative number).
	if got := crossCompare(3_100_000_000, 3_100_000_000, 3_000_000_000-1, 3_000_000_000-1); got != 1 {
		t.Fatalf("3.1e9² against (3e9-1)²: %d, want 1", got)
	}
}
