package achievement

import (
	"time"

	"bullpen/internal/bullpen"
)

// Known is what a consumer keeps of one rep's badges between batches, learnt from the ledger
// each time it judged the rep: enough to tell that a later batch cannot change any badge (most
// of a busy rep's wins: a day whose first win and hat-trick stand, a deal smaller than the
// rep's largest, a quota already reached), so that the batch need not read the rep at all.
//
// It is only as good as the ledger stayed as it was learnt: the ledger adapter keeps it per rep
// with the rules it was learnt under and an epoch that every other writer of what it holds
// moves (docs/architecture.md, "Judging badges"), and forgets it when either changed. What a
// batch that Settled leaves behind never changes what Known holds, so Known needs no update
// then.
type Known struct {
	Days    map[time.Time]KnownDay // local dates the rep's judged batches touched
	Top     *Deal                  // the rep's largest won deal; nil: it has won none
	HasTop  bool                   // Top was learnt
	Periods map[string]KnownPeriod // best period rule: periods by key
	Quotas  map[int64]KnownQuota   // quota club: the rep's targets by target set
	Clubs   map[string]bool        // quota club: whether its badge stands, by occurrence
}

// KnownDay is a local date of the rep: whether it had a win, and its standing badges.
type KnownDay struct{ Won, FirstWin, HatTrick bool }

// KnownPeriod is a selling period of the rep (from its First day): its best period badge
// stands (Best), or the rep had won no deal before it (Alone: no earlier period can stand in
// its way).
type KnownPeriod struct {
	First       time.Time
	Best, Alone bool
}

// KnownQuota is the rep's target in a set, and the occurrence of its quota club (its period
// and metric: two sets may share it). No Key: the rep has no target of its own there (a team's
// target alone), so nothing is judged.
type KnownQuota struct {
	Key    string
	Target bullpen.Fixed
}

// Move is the attainment of one of the rep's targets after a batch moved it.
type Move struct {
	SetID int64
	Value bullpen.Fixed
}

// keptDays is how many days before its latest Known keeps of a rep: a batch touching an
// older day reads the ledger, as before.
const keptDays = 7

// Settled says that Decide, given the rep as the ledger holds it after the batch r describes
// (its Days, Changed, Deals and Periods as the batch touched them, before any read) and the
// attainment moves of its targets, would award and revoke nothing. It answers false whenever
// it cannot tell: a reversal, a day, period or target it has not learnt, a deal that may be the
// rep's largest, a day whose hat-trick is not yet earned.
func (k *Known) Settled(rules Rules, r Rep, moves []Move) bool {
	for _, day := range r.Days {
		c := r.Changed[day]
		d, ok := k.Days[day]
		if !ok || c < 0 {
			return false
		}
		won := d.Won || c > 0
		switch {
		case rules.FirstWin.Enabled && won != d.FirstWin:
			return false // a first win to award, or a badge without its win (never learnt so)
		case rules.HatTrick.Enabled && !d.HatTrick:
			return false // the day's wins are not known: it may reach three
		case rules.Streak.Enabled && !d.Won && c > 0:
			return false // the day's first win: a streak may complete
		}
	}
	for _, d := range r.Deals {
		if !d.Won || !k.HasTop || k.Top == nil || d.DealID == k.Top.DealID || d.Amount >= k.Top.Amount {
			return false
		}
	}
	for _, p := range r.Periods {
		kp, ok := k.Periods[p.Key]
		switch {
		case !ok:
			return false
		case kp.Best: // it stays the best if the batch only added to it
			if !p.Grew {
				return false
			}
			continue
		case !kp.Alone: // a rival: whether it passes it now needs both revenues
			return false
		}
		// Alone, it has no rival whatever the batch did to it. But its revenue would give a
		// later period known alone a rival. (The periods known are those of the last judged
		// batch, so a period known alone has none known before it but alone ones: this also
		// covers a batch adding to both.)
		for _, o := range k.Periods {
			if o.Alone && o.First.After(p.First) {
				return false
			}
		}
	}
	for _, m := range moves {
		q, ok := k.Quotas[m.SetID]
		if ok && q.Key == "" {
			continue
		}
		club, learnt := k.Clubs[q.Key]
		if !ok || !learnt || (q.Target > 0 && m.Value >= q.Target) != club {
			return false
		}
	}
	return true
}

// Learn records what a judged batch read of the rep (r, filled by the ledger's read, with the
// attainment moves of its targets) and what Decide chose for it (out, this rep's part or
// more), as the ledger holds them after the batch.
func (k *Known) Learn(r Rep, moves []Move, out Outcome) {
	before := map[string]bool{}
	for _, a := range r.Awards {
		before[string(a.Kind)+"\x00"+a.Key] = a.Active()
	}
	after := make(map[string]bool, len(before))
	for key, v := range before {
		after[key] = v
	}
	for _, e := range out.Earned {
		if e.RepID == r.RepID {
			after[string(e.Kind)+"\x00"+e.Key] = true
		}
	}
	for _, v := range out.Revoked {
		if v.Award.RepID == r.RepID {
			after[string(v.Award.Kind)+"\x00"+v.Award.Key] = false
		}
	}
	if len(r.Days) > 0 {
		if k.Days == nil {
			k.Days = map[time.Time]KnownDay{}
		}
		for _, day := range r.Days {
			date := day.Format(time.DateOnly)
			k.Days[day] = KnownDay{Won: r.Wins[day] > 0,
				FirstWin: after[string(FirstWin)+"\x00"+date], HatTrick: after[string(HatTrick)+"\x00"+date]}
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
		k.Periods = map[string]KnownPeriod{} // the last judged batch's only (Settled counts on it)
		for _, p := range r.Periods {
			key := string(BestPeriod) + "\x00" + p.Key
			// An empty rival is none only when the ledger looked for one (not for a standing
			// badge the batch only added to).
			looked := !p.Grew || !before[key]
			k.Periods[p.Key] = KnownPeriod{First: p.First, Best: after[key], Alone: p.Rival == "" && looked}
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
		k.Quotas[q.SetID] = KnownQuota{Key: key, Target: q.Target}
		k.Clubs[key] = after[string(QuotaClub)+"\x00"+key]
	}
}
