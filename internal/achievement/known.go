package achievement

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"bullpen/internal/bullpen"
)

// Known is what a consumer keeps of one rep's badges between batches, learnt from the ledger
// each time it judged the rep and kept up to date by the batches it judged from it since:
// enough, for most of a busy rep's wins, to build what Decide needs without reading the
// ledger (Sketch). A win on a day whose count it knows, a deal larger or smaller than the
// rep's largest, a quota reached or not: the batch is decided from it, and what it awards
// written; only a reversal, a day or target not known, a period with a rival, or a streak's
// window are read.
//
// It is only as good as the ledger stayed as it was learnt: the ledger adapter keeps it per rep
// with the rules it was learnt under and an epoch that every other writer of what it holds
// moves (docs/architecture.md, "Judging badges"), and reads the rep again when either changed.
type Known struct {
	Days    map[time.Time]KnownDay // local dates the rep's judged batches touched
	Top     *Deal                  // the rep's largest won deal; nil: it has won none
	HasTop  bool                   // Top was learnt
	Periods map[string]KnownPeriod // best period rule: periods by key
	Quotas  map[int64]KnownQuota   // quota club: the rep's targets by target set
	Clubs   map[string]bool        // quota club: whether its badge stands, by occurrence
}

// KnownDay is a local date of the rep: its wins and its standing badges. The count is exact
// unless the day's hat-trick stands or the rule is off: the ledger counts no further than 3
// then, and nothing asks more than whether there is one.
type KnownDay struct {
	Wins               int
	FirstWin, HatTrick bool
}

// KnownPeriod is a selling period of the rep (from its First day): its best period badge
// stands (Best), or the rep had won no deal before it (Alone: no earlier period can stand in
// its way).
type KnownPeriod struct {
	First       time.Time
	Best, Alone bool
}

// KnownQuota is the rep's target in a set, with its period and metric (the quota club's
// occurrence: two sets may share it). No Period: the rep has no target of its own there (a
// team's target alone), so nothing is judged.
type KnownQuota struct {
	Period, Metric string
	Target         bullpen.Fixed
}

// Move is the attainment of one of the rep's targets after a batch moved it.
type Move struct {
	SetID int64
	Value bullpen.Fixed
}

// keptDays is how many days before its latest Known keeps of a rep: a batch touching an
// older day reads the ledger, as before.
const keptDays = 7

// Sketch is the rep as Decide needs it after the batch r describes (its Days, Changed, Deals
// and Periods as the batch touched them, before any read) with the attainment moves of its
// targets, built from what is known instead of read: the touched days' wins, the two largest
// deals as far as Decide tells them apart, the periods and quotas, and the standing badges of
// all of those. ok is false when it cannot be built: a reversal (its badge's row, and what is
// left, are not known), a day, period or target not learnt, a day whose count is not known
// a day's first win with the streak rule on (the streak's window), the rep's largest deal changed, a period with a rival. Decide may still
// revoke from a sketch (a value fallen under its target): the caller reads the rep then.
func (k *Known) Sketch(rules Rules, r Rep, moves []Move) (Rep, bool) {
	s := r
	s.Wins, s.Awards, s.Quotas = map[time.Time]int{}, nil, nil
	standing := func(kind Kind, key string) {
		s.Awards = append(s.Awards, Award{RepID: r.RepID, Kind: kind, Key: key})
	}
	for _, day := range r.Days {
		c := r.Changed[day]
		d, ok := k.Days[day]
		switch {
		case !ok || c < 0: // a reversal, or a win moved away: the badges to revoke are rows
			return Rep{}, false
		case rules.Streak.Enabled && d.Wins == 0 && c > 0:
			return Rep{}, false // the day's first win: a streak may complete
		}
		s.Wins[day] = d.Wins + c
		date := day.Format(time.DateOnly)
		if d.FirstWin {
			standing(FirstWin, date)
		}
		if d.HatTrick {
			standing(HatTrick, date)
		}
	}
	if len(r.Deals) > 0 {
		if !k.HasTop { // learnt from a batch without deals
			return Rep{}, false
		}
		// The largest deals after the batch: of those it left won and the largest before it.
		// When one of the batch's is the largest, the next is the largest of the rest, which is
		// among these; when the largest before it still is, Decide asks no more.
		var top []Deal
		if k.Top != nil {
			top = append(top, *k.Top)
		}
		for _, d := range r.Deals {
			if !d.Won || k.Top != nil && d.DealID == k.Top.DealID {
				return Rep{}, false
			}
			top = append(top, d)
		}
		slices.SortFunc(top, func(a, b Deal) int {
			if a.Amount != b.Amount {
				return cmp.Compare(b.Amount, a.Amount)
			}
			return strings.Compare(a.DealID, b.DealID)
		})
		s.Top = top[:min(2, len(top))]
	}
	for _, p := range r.Periods { // as touched: no rival, which Decide reads only to award

		kp, ok := k.Periods[p.Key]
		switch {
		case !ok:
			return Rep{}, false
		case kp.Best: // it stays the best if the batch only added to it
			if !p.Grew {
				return Rep{}, false
			}
			standing(BestPeriod, p.Key)
			continue
		case !kp.Alone: // a rival: whether it passes it needs both revenues
			return Rep{}, false
		}
		// Alone, it has no rival whatever the batch did to it. But its revenue would give a
		// later period known alone a rival. (The periods known are those of the last judged
		// batch, so a period known alone has none known before it but alone ones: this also
		// covers a batch adding to both.)
		for _, o := range k.Periods {
			if o.Alone && o.First.After(p.First) {
				return Rep{}, false
			}
		}
	}
	clubs := map[string]bool{}
	for _, m := range moves {
		q, ok := k.Quotas[m.SetID]
		if !ok {
			return Rep{}, false
		}
		if q.Period == "" {
			continue
		}
		key := QuotaKey(q.Period, q.Metric)
		club, learnt := k.Clubs[key]
		if !learnt {
			return Rep{}, false
		}
		s.Quotas = append(s.Quotas, Quota{SetID: m.SetID, Period: q.Period, Metric: q.Metric, Value: m.Value, Target: q.Target})
		if club && !clubs[key] {
			clubs[key] = true
			standing(QuotaClub, key)
		}
	}
	return s, true
}

// Learn records what a judged batch knew of the rep (r, filled by the ledger's read or by
// Sketch, with the attainment moves of its targets) and what Decide chose for it (out: for
// this rep alone), as the ledger holds them after the batch.
func (k *Known) Learn(r Rep, moves []Move, out Outcome) {
	// whether a badge stood before the batch, and stands after it
	before := func(k Kind, key string) bool {
		a, had := lastAward(r.Awards, k, key)
		return had && a.Active()
	}
	after := func(k Kind, key string) bool {
		stands := before(k, key)
		for _, e := range out.Earned {
			stands = stands || e.Kind == k && e.Key == key
		}
		for _, v := range out.Revoked {
			stands = stands && (v.Award.Kind != k || v.Award.Key != key)
		}
		return stands
	}
	if len(r.Days) > 0 {
		if k.Days == nil {
			k.Days = map[time.Time]KnownDay{}
		}
		for _, day := range r.Days {
			date := day.Format(time.DateOnly)
			k.Days[day] = KnownDay{Wins: r.Wins[day],
				FirstWin: after(FirstWin, date), HatTrick: after(HatTrick, date)}
		}
		var latest time.Time
		for day := range k.Days {
			if day.After(latest) {
				latest = day
			}
		}
		for day := range k.Days {
			if day.Before(latest.AddDate(0, 0, -keptDays)) {
				delete(k.Days, day)
			}
		}
	}
	if len(r.Deals) > 0 { // the ledger read the two largest
		k.HasTop, k.Top = true, nil
		if len(r.Top) > 0 {
			top := r.Top[0]
			k.Top = &top
		}
	}
	if len(r.Periods) > 0 {
		k.Periods = map[string]KnownPeriod{} // the last judged batch's only (Sketch counts on it)
		for _, p := range r.Periods {
			// An empty rival is none only when the ledger looked for one (not for a standing
			// badge the batch only added to).
			looked := !p.Grew || !before(BestPeriod, p.Key)
			k.Periods[p.Key] = KnownPeriod{First: p.First, Best: after(BestPeriod, p.Key), Alone: p.Rival == "" && looked}
		}
	}
	if len(moves) > 0 && k.Quotas == nil {
		k.Quotas, k.Clubs = map[int64]KnownQuota{}, map[string]bool{}
	}
	for _, m := range moves {
		k.Quotas[m.SetID] = KnownQuota{} // until the read says otherwise: no target of its own
	}
	for _, q := range r.Quotas {
		key := QuotaKey(q.Period, q.Metric)
		k.Quotas[q.SetID] = KnownQuota{Period: q.Period, Metric: q.Metric, Target: q.Target}
		k.Clubs[key] = after(QuotaClub, key)
	}
}
