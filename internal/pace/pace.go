package pace

import (
	"math"
	"math/big"
	"time"

	"bullpen/internal/bullpen"
)

// Pace is where a value stands in the period [start, end) at now.
type Pace struct {
	Elapsed, Total float64        // selling days passed, selling days in the period
	Projected      bullpen.Fixed  // the value at end at the run rate so far
	NeededPerDay   *bullpen.Fixed // nil without a target; 0 once it is reached
}

// At computes the pace of value (and, when target is not nil, what is needed per remaining
// selling day to reach it) in [start, end) at now.
//
// The edges: before the period's first selling moment (no selling time has passed, so there is
// no run rate) and from its last one on, Projected is the value itself; holidays and
// non-selling days add no time, so the projection holds still over a weekend. NeededPerDay is
// the gap divided by the selling days left, rounded up to the cent, but never more than the
// whole gap: with less than one selling day left (none, after the end) the whole gap is needed
// on that day, where a rate per day would grow without bound in its last minutes.
func (c Calendar) At(value bullpen.Fixed, target *bullpen.Fixed, start, end, now time.Time) Pace {
	elapsed, total := c.sold(start, end, now)
	p := Pace{Projected: value}
	p.Elapsed, _ = elapsed.Float64()
	p.Total, _ = total.Float64()
	if elapsed.Sign() > 0 && elapsed.Cmp(total) < 0 {
		// value × total ÷ elapsed, in hundredths.
		r := new(big.Rat).SetInt64(int64(value))
		r.Mul(r, total)
		r.Quo(r, elapsed)
		p.Projected = roundHalfUp(r)
	}
	if target != nil {
		p.NeededPerDay = needed(*target-value, new(big.Rat).Sub(total, elapsed))
	}
	return p
}

// sold is the selling time of [start, end) passed at now, and the whole of it.
func (c Calendar) sold(start, end, now time.Time) (elapsed, total *big.Rat) {
	total = c.selling(start, end)
	elapsed = new(big.Rat)
	switch {
	case !now.After(start):
	case !now.Before(end):
		elapsed.Set(total)
	default:
		elapsed = c.selling(start, now)
	}
	return elapsed, total
}

// Moment is the selling time of a period at one moment, counted once for all the values
// projected at it: a board projects each of its rows at the same moment, and counting the
// selling days is most of what At costs.
type Moment struct {
	Elapsed, Total float64 // as At's
	// total ÷ elapsed as num ÷ den; nil where At projects a value as itself.
	num, den *big.Int
	left     *big.Rat // selling days left, for NeededPerDay
}

// Moment is the selling time of [start, end) at now, for Project.
func (c Calendar) Moment(start, end, now time.Time) Moment {
	elapsed, total := c.sold(start, end, now)
	m := Moment{left: new(big.Rat).Sub(total, elapsed)}
	m.Elapsed, _ = elapsed.Float64()
	m.Total, _ = total.Float64()
	if elapsed.Sign() > 0 && elapsed.Cmp(total) < 0 {
		f := new(big.Rat).Quo(total, elapsed)
		m.num, m.den = f.Num(), f.Denom()
	}
	return m
}

// Project is At's Projected for value at the moment: value × (total ÷ elapsed) is value × total
// ÷ elapsed exactly, rounded the same way (without reducing the fraction first, which is
// what a big.Rat would spend most of its time on).
func (m Moment) Project(value bullpen.Fixed) bullpen.Fixed {
	if m.num == nil {
		return value
	}
	return roundFracHalfUp(new(big.Int).Mul(big.NewInt(int64(value)), m.num), m.den)
}

// At is Calendar.At at the moment: the same figures, with the selling time counted once.
func (m Moment) At(value bullpen.Fixed, target *bullpen.Fixed) Pace {
	p := Pace{Elapsed: m.Elapsed, Total: m.Total, Projected: m.Project(value)}
	if target != nil {
		p.NeededPerDay = needed(*target-value, m.left)
	}
	return p
}

// needed is gap spread over the selling days left (at least one), rounded up to the cent.
func needed(gap bullpen.Fixed, left *big.Rat) *bullpen.Fixed {
	var n bullpen.Fixed
	if gap > 0 {
		one := big.NewRat(1, 1)
		if left.Cmp(one) < 0 {
			left = one
		}
		r := new(big.Rat).SetInt64(int64(gap))
		n = ceil(r.Quo(r, left))
	}
	return &n
}

// roundHalfUp rounds r to a whole number of hundredths, halves away from zero (as money is
// rounded), saturating where a projection from a very short elapsed time overflows.
func roundHalfUp(r *big.Rat) bullpen.Fixed {
	return roundFracHalfUp(r.Num(), r.Denom())
}

// roundFracHalfUp is roundHalfUp of num ÷ den (den > 0), reduced or not.
func roundFracHalfUp(num, den *big.Int) bullpen.Fixed {
	// floor((2·|num| + den) ÷ (2·den)) = floor(|r| + 1/2)
	q := new(big.Int).Abs(num)
	q.Lsh(q, 1)
	q.Add(q, den)
	q.Quo(q, new(big.Int).Lsh(den, 1))
	if num.Sign() < 0 {
		q.Neg(q)
	}
	return saturate(q)
}

// ceil rounds r up to a whole number of hundredths.
func ceil(r *big.Rat) bullpen.Fixed {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return saturate(q)
}

func saturate(q *big.Int) bullpen.Fixed {
	switch {
	case q.IsInt64():
		return bullpen.Fixed(q.Int64())
	case q.Sign() > 0:
		return bullpen.Fixed(math.MaxInt64)
	default:
		return bullpen.Fixed(math.MinInt64 + 1)
	}
}
