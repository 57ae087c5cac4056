package achievement

import (
	"fmt"
	"slices"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/pace"
)

// Rep is what Decide knows of one rep a batch touched, as the ledger holds it after the batch.
type Rep struct {
	RepID string
	// Days are the local dates (civil dates at UTC midnight, in the calendar's zone) on which
	// the batch's wins, updates and reversals fell.
	Days []time.Time
	// Wins counts the rep's won deals by local date on Days, and over Window(Days) when
	// Flipped (no entry: none). A touched day may be counted up to a cap (3, or more) only.
	Wins map[time.Time]int
	// Changed is, by local date of Days, how many won deals the batch added there, less the
	// ones it took away (reversed, or moved to another day).
	Changed map[time.Time]int
	// Deals are the rep's deals the batch touched, as they stand after it.
	Deals []Deal
	// Top are the rep's two largest won deals, largest first (ties by deal id).
	Top []Deal
	// Periods are the rep's selling periods (best period rule) the batch's deals fell in.
	Periods []Period
	// Quotas are the rep's targets whose attainment the batch moved.
	Quotas []Quota
	// Awards are the rep's badges the batch could touch: on Window(Days)'s dates, of the
	// touched deals, of the quotas' periods, of Periods (revoked ones included).
	Awards []Award
}

// Flipped says the batch may have given one of the rep's touched days its first win or taken
// its last: only then can its streaks change (a streak asks for a win on each day, not how
// many), so only then are they read and judged.
func (r *Rep) Flipped() bool {
	return slices.ContainsFunc(r.Days, func(day time.Time) bool { return DayFlipped(r.Wins[day], r.Changed[day]) })
}

// DayFlipped says whether a day with wins won deals after a batch (counted whole, or up to a
// cap: at least that many) and changed of them added by it may have had none before it or
// has none left. When the count stopped at a cap no larger than changed, it cannot tell, and
// says it may.
func DayFlipped(wins, changed int) bool {
	return wins == 0 && changed < 0 || wins > 0 && wins <= changed
}

// Deal is a deal as the ledger holds it.
type Deal struct {
	DealID string
	Won    bool
	Amount bullpen.Fixed
}

// Quota is a rep's attainment of one target.
type Quota struct {
	SetID          int64 // the target set
	Period, Metric string
	Value, Target  bullpen.Fixed
}

// Input is one batch's reps, the rules and the selling calendar (BULLPEN_TIMEZONE, selling
// days, holidays: as pace counts them).
type Input struct {
	Rules    Rules
	Calendar pace.Calendar
	Reps     []Rep
}

// Decide says, rep by rep, which occurrences the batch made earned that are not (or no longer)
// awarded, and which standing badges of what it touched no longer hold. Only what a batch
// touched is judged: a badge stands until a change to its own days, deal or target breaks it.
// A rule switched off neither awards nor revokes: its badges stay as they are.
func Decide(in Input) Outcome {
	var out Outcome
	for _, r := range in.Reps {
		d := decider{in: in, rep: r}
		d.days()
		d.streaks()
		d.deals()
		d.quotas()
		d.periods()
		out.Earned = append(out.Earned, d.out.Earned...)
		out.Revoked = append(out.Revoked, d.out.Revoked...)
	}
	return out
}

type decider struct {
	in  Input
	rep Rep
	out Outcome
}

// award is the rep's badge of kind k and occurrence key, the last one read when read twice.
// (A rep's badges a batch reads are a handful: a scan costs less than a map.)
func (d *decider) award(k Kind, key string) (Award, bool) {
	return lastAward(d.rep.Awards, k, key)
}

func lastAward(awards []Award, k Kind, key string) (Award, bool) {
	for i := len(awards) - 1; i >= 0; i-- {
		if a := awards[i]; a.Kind == k && a.Key == key {
			return a, true
		}
	}
	return Award{}, false
}

// judge awards k's occurrence key when earned and revokes its standing badge when not. notes
// says the award's note and the revocation's: it is asked only for one to write (most of a
// batch's judgements write nothing, and the notes are formatted).
func (d *decider) judge(k Kind, key string, earned bool, dealID string, notes func() (award, revoke string)) {
	rule := d.in.Rules.Of(k)
	a, had := d.award(k, key)
	switch {
	case earned && rule.Enabled && (!had || !a.Active()):
		note, _ := notes()
		d.out.Earned = append(d.out.Earned, Earned{RepID: d.rep.RepID, Kind: k, Key: key, DealID: dealID, Points: rule.Points, Note: note})
	case !earned && had && a.Active() && rule.Enabled:
		_, note := notes()
		d.out.Revoked = append(d.out.Revoked, Revoked{Award: a, Note: note})
	}
}

// days judges the first win and the hat-trick of each local date the batch touched.
func (d *decider) days() {
	for _, day := range d.rep.Days {
		n, date := d.rep.Wins[day], day.Format(time.DateOnly)
		d.judge(FirstWin, date, n >= 1, "", func() (string, string) {
			return "First win on " + date, "Revoked: no win left on " + date + " after a reversal"
		})
		d.judge(HatTrick, date, n >= 3, "", func() (string, string) {
			return fmt.Sprintf("%d wins on %s", n, date), fmt.Sprintf("Revoked: %d wins left on %s after a reversal", n, date)
		})
	}
}

// deals judges the personal best of each deal the batch touched: a won deal larger than every
// other the rep has won (with at least one other) earns it; a reversal revokes it. A deal
// that stays won keeps its badge when a larger one comes later: it was the best when won.
func (d *decider) deals() {
	for _, deal := range d.rep.Deals {
		top := d.rep.Top
		largest := deal.Won && len(top) == 2 && top[0].DealID == deal.DealID && top[1].Amount < top[0].Amount
		if largest || !deal.Won {
			d.judge(LargestDeal, deal.DealID, largest, deal.DealID, func() (string, string) {
				return fmt.Sprintf("Deal %s (%s) is the largest yet", deal.DealID, deal.Amount), "Revoked: deal " + deal.DealID + " was reversed"
			})
		}
	}
}

// quotas judges the quota club of each target whose attainment moved: a value at or above a
// target above 0.
func (d *decider) quotas() {
	earned := map[string]bool{}
	var keys []string
	for _, q := range d.rep.Quotas {
		k := QuotaKey(q.Period, q.Metric)
		if _, seen := earned[k]; !seen {
			keys = append(keys, k)
		}
		earned[k] = earned[k] || (q.Target > 0 && q.Value >= q.Target)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d.judge(QuotaClub, k, earned[k], "", func() (string, string) {
			return "Reached 100 % of the " + k + " target", "Revoked: the " + k + " value fell under its target"
		})
	}
}
