package achievement

import (
	"fmt"
	"strconv"
	"time"

	"bullpen/internal/bullpen"
)

// Period is a selling period of a rep (a week or a month, in the calendar's zone) as the best
// period rule judges it: the rep's won revenue in it, and the earlier period that stands in
// its way.
type Period struct {
	Key   string        // "2026-04", "2026-W14"
	First time.Time     // its first local day (a civil date at UTC midnight)
	Total bullpen.Fixed // the rep's won revenue in it, after the batch
	// Rival is the earlier period the ledger's read stopped at: the first one, going back,
	// whose revenue is at or above Total; when there is none, the best of all earlier ones.
	// Empty: no earlier period with revenue.
	Rival      string
	RivalTotal bullpen.Fixed
	// Grew says the batch only added won deals to it: its revenue can only have grown, so a
	// standing badge stands (and the ledger need not read its rival).
	Grew bool
}

// Span is the period of unit ("week" or "month") that holds the local date day (a civil date
// at UTC midnight): its key and its first and next first days, civil dates too. A week starts
// on Monday and is keyed by its ISO year and number.
func Span(unit string, day time.Time) (key string, first, next time.Time) {
	y, m, d := day.Date()
	if unit == Week {
		first = time.Date(y, m, d-(int(day.Weekday())+6)%7, 0, 0, 0, 0, time.UTC)
		iy, iw := first.ISOWeek()
		week := strconv.Itoa(iw)
		if iw < 10 {
			week = "0" + week
		}
		return strconv.Itoa(iy) + "-W" + week, first, first.AddDate(0, 0, 7) // years have four digits here
	}
	first = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return first.Format("2006-01"), first, first.AddDate(0, 1, 0)
}

// periods judges the best period of each period the batch touched: its revenue above that of
// every earlier period of the rep, with at least one earlier period that had revenue (a first
// period is no personal best; a tie is none). A running period earns it the moment it passes;
// a change that brings it back to or under the best before it revokes it.
func (d *decider) periods() {
	unit := d.in.Rules.BestPeriod.Period
	for _, p := range d.rep.Periods {
		if a, had := d.award(BestPeriod, p.Key); p.Grew && had && a.Active() {
			continue
		}
		earned := p.Rival != "" && p.Total > p.RivalTotal
		d.judge(BestPeriod, p.Key, earned, "", func() (string, string) {
			note := fmt.Sprintf("%s won in %s, more than in any %s before (best: %s in %s)", p.Total, p.Key, unit, p.RivalTotal, p.Rival)
			if p.Rival == "" {
				return note, fmt.Sprintf("Revoked: %s fell to %s", p.Key, p.Total)
			}
			return note, fmt.Sprintf("Revoked: %s fell to %s, not above %s in %s", p.Key, p.Total, p.RivalTotal, p.Rival)
		})
	}
}
