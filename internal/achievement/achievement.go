// Package achievement is the badges of docs/api.md §3 "Achievements": the rules an admin sets,
// and Decide, which says from a rep's wins, deals and attainment which occurrences it has
// earned and which of its badges a change broke. Plain Go, no I/O: the ledger adapter loads a
// batch's reps and writes what Decide chose, in the batch's transaction.
package achievement

import (
	"strconv"
	"strings"
	"time"
)

// Kind names a rule (and the badges it awards).
type Kind string

const (
	FirstWin    Kind = "first_win"    // a win on a local day; occurrence: the date
	HatTrick    Kind = "hat_trick"    // three wins on one local day; occurrence: the date
	Streak      Kind = "streak"       // a win on each of N selling days in a row; occurrence: "first day+N"
	LargestDeal Kind = "largest_deal" // a deal larger than every other the rep has won; occurrence: the deal
	QuotaClub   Kind = "quota_club"   // 100 % of a target; occurrence: "period/metric"
	BestPeriod  Kind = "best_period"  // more won in a week or month than in any before; occurrence: "2026-04", "2026-W14"
)

// Kinds are every kind, in the order the API lists them.
var Kinds = []Kind{FirstWin, Streak, HatTrick, LargestDeal, QuotaClub, BestPeriod}

// Title is how a badge of kind k with occurrence key reads on a screen.
func Title(k Kind, key string) string {
	switch k {
	case FirstWin:
		return "First win of the day"
	case HatTrick:
		return "Hat-trick"
	case Streak:
		if _, n, ok := StreakKey(key); ok {
			return strconv.Itoa(n) + "-day streak"
		}
		return "Streak"
	case LargestDeal:
		return "Personal best"
	case QuotaClub:
		return "Quota club"
	case BestPeriod:
		if strings.Contains(key, "-W") {
			return "Best week ever"
		}
		return "Best month ever"
	}
	return string(k)
}

// Award is a badge as the ledger holds it.
type Award struct {
	ID            int64
	RepID         string
	Kind          Kind
	Key           string // the occurrence
	DealID        string
	Points        int64 // what its award paid
	Note          string
	AwardedAt     time.Time
	RevokedAt     *time.Time
	RevokedReason string
}

// Active says the badge stands (it was not revoked, or was earned again since).
func (a Award) Active() bool { return a.RevokedAt == nil }

// Earned is an occurrence to award: a new badge, or a revoked one earned again.
type Earned struct {
	RepID  string
	Kind   Kind
	Key    string
	DealID string
	Points int64
	Note   string
}

// Revoked is a standing badge whose condition no longer holds: it is revoked with Note, and
// the points its award paid are taken back.
type Revoked struct {
	Award Award
	Note  string
}

// Outcome is what Decide chose: badges to award and badges to revoke.
type Outcome struct {
	Earned  []Earned
	Revoked []Revoked
}

// Empty says there is nothing to write.
func (o Outcome) Empty() bool { return len(o.Earned) == 0 && len(o.Revoked) == 0 }

// StreakKeyOf is a streak's occurrence: its first selling day and its length.
func StreakKeyOf(first time.Time, days int) string {
	return first.Format(time.DateOnly) + "+" + strconv.Itoa(days)
}

// StreakKey reads a streak's occurrence back.
func StreakKey(key string) (time.Time, int, bool) {
	d, n, ok := strings.Cut(key, "+")
	if !ok {
		return time.Time{}, 0, false
	}
	first, err := time.Parse(time.DateOnly, d)
	days, nerr := strconv.Atoi(n)
	if err != nil || nerr != nil || days < 1 {
		return time.Time{}, 0, false
	}
	return first, days, true
}

// QuotaKey is a quota club badge's occurrence: a target period and metric.
func QuotaKey(period, metric string) string { return period + "/" + metric }
