package target

import (
	"math"

	"bullpen/internal/bullpen"
)

// TeamTarget is a team's target in a set: its own when it has one, else the sum of its reps'.
func TeamTarget(own *bullpen.Fixed, reps []bullpen.Fixed) bullpen.Fixed {
	if own != nil {
		return *own
	}
	var sum bullpen.Fixed
	for _, r := range reps {
		sum += r
	}
	return sum
}

// Pct is value ÷ target in percent, rounded half away from zero to two decimals (exact integer
// arithmetic: 1234.56 of 5000 is 24.69); nil for a target of zero, which has no percent.
func Pct(value, target bullpen.Fixed) *float64 {
	if target <= 0 {
		return nil
	}
	// value/target*100 percent, in hundredths of a percent: value*10000/target.
	num, den := int64(value)*10000, int64(target)
	q := (2*abs(num) + den) / (2 * den)
	if num < 0 {
		q = -q
	}
	p := float64(q) / 100
	if math.IsInf(p, 0) {
		return nil
	}
	return &p
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
