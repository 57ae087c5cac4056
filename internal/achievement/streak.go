package achievement

import (
	"fmt"
	"slices"
	"time"

	"bullpen/internal/pace"
)

// Window is the local dates (first and last, civil dates at UTC midnight) whose wins Decide
// needs for days: the days themselves, and with a streak of N days, 2N selling days either
// side, where any streak through a touched day and any badge it could meet lie.
func Window(r Rules, cal pace.Calendar, days []time.Time) (time.Time, time.Time) {
	if len(days) == 0 {
		return time.Time{}, time.Time{}
	}
	from, to := slices.MinFunc(days, time.Time.Compare), slices.MaxFunc(days, time.Time.Compare)
	if r.Streak.Enabled {
		from, to = walk(cal, from, -2*r.Streak.Days), walk(cal, to, 2*r.Streak.Days)
	}
	return from, to
}

// walk is the date n selling days after day (before it for a negative n). A calendar with no
// selling day in a year stops there.
func walk(cal pace.Calendar, day time.Time, n int) time.Time {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for i := 0; n > 0 && i < 366; i++ {
		day = day.AddDate(0, 0, step)
		if cal.SellsOn(day) {
			n--
		}
	}
	return day
}

// streaks judges streaks around the touched days. A streak is N selling days in a row with a
// win on each; days that are not selling days (weekends, holidays) neither count nor break
// one. Its badge is keyed by its first day and N. Streaks are judged when a touched day gained
// its first win or lost its last (Rep.Flipped): a batch that changes no day's having a win
// changes no streak, as long as the rule and the selling days stay as they are (a rule switched
// on, or a new length, counts from the next such change). Counting runs through the window: a day
// without a win, or the end of a standing streak badge, starts the count again, so badges never
// overlap; a run of 2N days earns two. A standing badge through a touched day is revoked when
// one of its days has no win left; a new one is awarded when it holds a touched day (a run
// only completes by a change on one of its days).
func (d *decider) streaks() {
	rule := d.in.Rules.Streak
	if len(d.rep.Days) == 0 || !rule.Enabled || !d.rep.Flipped() {
		return
	}
	cal := d.in.Calendar
	touched := map[time.Time]bool{}
	for _, day := range d.rep.Days {
		touched[day] = true
	}
	covered := map[time.Time]bool{}
	for _, a := range d.rep.Awards {
		if a.Kind != Streak || !a.Active() {
			continue
		}
		first, n, ok := StreakKey(a.Key)
		if !ok {
			continue
		}
		block := selling(cal, first, n)
		if gap, broken := d.gap(block); broken && holdsAny(block, touched) {
			d.out.Revoked = append(d.out.Revoked, Revoked{Award: a,
				Note: fmt.Sprintf("Revoked: no win left on %s, day %d of the streak", gap.Format(time.DateOnly), slices.Index(block, gap)+1)})
			continue
		}
		for _, day := range block {
			covered[day] = true
		}
	}
	from, to := Window(d.in.Rules, cal, d.rep.Days)
	var run []time.Time
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		switch {
		case !cal.SellsOn(day):
			continue
		case covered[day] || d.rep.Wins[day] == 0:
			run = run[:0]
			continue
		}
		run = append(run, day)
		if len(run) < rule.Days {
			continue
		}
		if holdsAny(run, touched) {
			first, last := run[0].Format(time.DateOnly), run[len(run)-1].Format(time.DateOnly)
			d.judge(Streak, StreakKeyOf(run[0], rule.Days), true, "", func() (string, string) {
				return fmt.Sprintf("A win on each of %d selling days, %s to %s", rule.Days, first, last), ""
			})
		}
		run = run[:0]
	}
}

// gap is the first day of block without a win.
func (d *decider) gap(block []time.Time) (time.Time, bool) {
	for _, day := range block {
		if d.rep.Wins[day] == 0 {
			return day, true
		}
	}
	return time.Time{}, false
}

// selling is the n selling days from first on (first itself when it is one).
func selling(cal pace.Calendar, first time.Time, n int) []time.Time {
	out := make([]time.Time, 0, n)
	for day, i := first, 0; len(out) < n && i < 3660; day, i = day.AddDate(0, 0, 1), i+1 {
		if cal.SellsOn(day) {
			out = append(out, day)
		}
	}
	return out
}

func holdsAny(days []time.Time, set map[time.Time]bool) bool {
	return slices.ContainsFunc(days, func(d time.Time) bool { return set[d] })
}
