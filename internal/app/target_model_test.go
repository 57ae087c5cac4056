package app_test

import (
	"cmp"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"
)

// The targets side of the independent model (attainmentModel, in target_test.go, counts the
// values): periods cut in a time zone, the sets as the test writes them, percent, selling time
// and pace, and a board's order, each worked from docs/api.md §3 "Targets" and §6 "Pace" with
// no code of internal/target or internal/pace.

// window is a month or a quarter cut in a time zone.
type window struct {
	key        string
	start, end time.Time
	loc        *time.Location
}

func monthOf(t time.Time, loc *time.Location) window {
	l := t.In(loc)
	s := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	return window{key: fmt.Sprintf("%04d-%02d", s.Year(), int(s.Month())), start: s, end: s.AddDate(0, 1, 0), loc: loc}
}

func quarterOf(t time.Time, loc *time.Location) window {
	l := t.In(loc)
	first := (int(l.Month())-1)/3*3 + 1
	s := time.Date(l.Year(), time.Month(first), 1, 0, 0, 0, 0, loc)
	return window{key: fmt.Sprintf("%04d-Q%d", s.Year(), (first-1)/3+1), start: s, end: s.AddDate(0, 3, 0), loc: loc}
}

// before is the period of the same kind just before w.
func (w window) before() window {
	if strings.Contains(w.key, "Q") {
		return quarterOf(w.start.Add(-time.Second), w.loc)
	}
	return monthOf(w.start.Add(-time.Second), w.loc)
}

// liveSet is a target set as the test wrote it: the model's view plus its targets.
type liveSet struct {
	modelSet
	id      string
	w       window
	targets map[string]int64 // rep -> hundredths
	own     *int64           // the team's own target
	weights map[string]string
}

func (s *liveSet) rows() []map[string]any {
	var out []map[string]any
	add := func(rep string, target int64) {
		r := map[string]any{"period": s.w.key, "metric": s.metric, "team_id": s.team, "target": fmt.Sprintf("%d.%02d", target/100, target%100),
			"timezone": s.w.loc.String()}
		if rep != "" {
			r["rep_id"] = rep
		}
		if s.weights != nil {
			r["weights"] = s.weights
		}
		out = append(out, r)
	}
	if s.own != nil {
		add("", *s.own)
	}
	for _, rep := range slices.Sorted(maps.Keys(s.targets)) {
		add(rep, s.targets[rep])
	}
	return out
}

// teamTarget is the team's own target, else the sum of its reps'.
func (s *liveSet) teamTarget() int64 {
	if s.own != nil {
		return *s.own
	}
	var sum int64
	for _, v := range s.targets {
		sum += v
	}
	return sum
}

// pctOf is value ÷ target in hundredths of a percent, half away from zero; ok false for a target
// of 0.
func pctOf(value, target int64) (int64, bool) {
	if target <= 0 {
		return 0, false
	}
	r := new(big.Rat).SetFrac(big.NewInt(value*10000), big.NewInt(target))
	return roundRat(r), true
}

func roundRat(r *big.Rat) int64 {
	num := new(big.Int).Abs(r.Num())
	q := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Lsh(num, 1), r.Denom()), new(big.Int).Lsh(r.Denom(), 1))
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q.Int64()
}

// sellingDays is the selling time of [from, to) in loc: every Monday to Friday that is not a
// holiday counts 1 day, a part of one its share of that day's own length (23 or 25 hours on a
// DST change).
func sellingDays(from, to time.Time, loc *time.Location, holidays map[string]bool) *big.Rat {
	sum := new(big.Rat)
	l := from.In(loc)
	for day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc); day.Before(to); {
		next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		wd := day.Weekday()
		if wd != time.Saturday && wd != time.Sunday && !holidays[day.Format(time.DateOnly)] {
			a, b := day, next
			if from.After(a) {
				a = from
			}
			if to.Before(b) {
				b = to
			}
			if b.After(a) {
				sum.Add(sum, big.NewRat(int64(b.Sub(a)), int64(next.Sub(day))))
			}
		}
		day = next
	}
	return sum
}

// paceOf is where value is heading in w at now and what is needed a day to reach target, as
// docs/api.md §6 "Pace" defines them.
func paceOf(value, target int64, w window, now time.Time, holidays map[string]bool) (projected, needed int64) {
	total := sellingDays(w.start, w.end, w.loc, holidays)
	elapsed := new(big.Rat)
	switch {
	case !now.After(w.start):
	case !now.Before(w.end):
		elapsed.Set(total)
	default:
		elapsed = sellingDays(w.start, now, w.loc, holidays)
	}
	projected = value
	if elapsed.Sign() > 0 && elapsed.Cmp(total) < 0 {
		r := new(big.Rat).SetInt64(value)
		projected = roundRat(r.Mul(r, total).Quo(r, elapsed))
	}
	if gap := target - value; gap > 0 {
		left := new(big.Rat).Sub(total, elapsed)
		if left.Cmp(big.NewRat(1, 1)) < 0 {
			left = big.NewRat(1, 1)
		}
		r := new(big.Rat).Quo(new(big.Rat).SetInt64(gap), left)
		q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
		if m.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		}
		needed = q.Int64()
	}
	return projected, needed
}

// ranked is the order of a set's reps with a target on its board: by value ÷ target exactly,
// highest first (a target of 0 last), then value, then rep_id.
func ranked(s *liveSet, values map[string]int64) []string {
	reps := slices.Sorted(maps.Keys(s.targets))
	slices.SortStableFunc(reps, func(a, b string) int {
		ta, tb := s.targets[a], s.targets[b]
		if (ta > 0) != (tb > 0) {
			if ta > 0 {
				return -1
			}
			return 1
		}
		if ta > 0 {
			l := new(big.Int).Mul(big.NewInt(values[a]), big.NewInt(tb))
			r := new(big.Int).Mul(big.NewInt(values[b]), big.NewInt(ta))
			if c := r.Cmp(l); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(values[b], values[a]), cmp.Compare(a, b))
	})
	return reps
}
