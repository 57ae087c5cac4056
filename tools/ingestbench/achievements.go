package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"bullpen/internal/achievement"
	"bullpen/internal/postgres"
)

// allAchievements are the rules of a drain with -achievements on: every rule, each paying
// points, so every win reads the rep's days, top deals and week (a week, not a month, so that a
// -span across a Monday walks back to the week before) and a badge writes ledger rows and
// messages: the most achievements can cost an event.
var allAchievements = achievement.Rules{
	FirstWin:    achievement.Rule{Enabled: true, Points: 5},
	Streak:      achievement.StreakRule{Rule: achievement.Rule{Enabled: true, Points: 50}, Days: 5},
	HatTrick:    achievement.Rule{Enabled: true, Points: 100},
	LargestDeal: achievement.Rule{Enabled: true, Points: 20},
	QuotaClub:   achievement.Rule{Enabled: true, Points: 200},
	BestPeriod:  achievement.PeriodRule{Rule: achievement.Rule{Enabled: true, Points: 30}, Period: achievement.Week},
}

// awardCount is what a drain with achievements awarded, by kind: the badges it left (standing
// and revoked) and the ledger rows that paid or took back their points. It is the workload the
// drain's cost per event is paid for.
type awardCount struct {
	Kind     string `json:"kind"`
	Standing int64  `json:"standing"`
	Revoked  int64  `json:"revoked"`
	Paid     int64  `json:"ledger_awards"`      // ledger rows paying a badge's points (an award, or one anew)
	Taken    int64  `json:"ledger_revocations"` // ledger rows taking them back
}

// countAwards reads the badges and their ledger rows after a drain.
func countAwards(ctx context.Context, db *postgres.DB) ([]awardCount, error) {
	rows, err := db.Pool.Query(ctx, `SELECT a.kind, count(*) FILTER (WHERE a.revoked_at IS NULL), count(*) FILTER (WHERE a.revoked_at IS NOT NULL),
			coalesce(sum(l.paid), 0)::bigint, coalesce(sum(l.taken), 0)::bigint
		FROM achievements a LEFT JOIN (SELECT achievement_id, count(*) FILTER (WHERE points > 0) AS paid,
			count(*) FILTER (WHERE points < 0) AS taken FROM ledger WHERE achievement_id IS NOT NULL GROUP BY 1) l ON l.achievement_id = a.id
		GROUP BY 1`)
	if err != nil {
		return nil, fmt.Errorf("count awards: %w", err)
	}
	defer rows.Close()
	var out []awardCount
	for rows.Next() {
		var c awardCount
		if err := rows.Scan(&c.Kind, &c.Standing, &c.Revoked, &c.Paid, &c.Taken); err != nil {
			return nil, fmt.Errorf("count awards: %w", err)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out, rows.Err()
}

// awardsLine is a drain's awards per 1000 events, kind by kind.
func awardsLine(counts []awardCount, events int) string {
	var parts []string
	var paid, taken int64
	for _, c := range counts {
		parts = append(parts, fmt.Sprintf("%s %d (%d revoked)", c.Kind, c.Standing+c.Revoked, c.Revoked))
		paid, taken = paid+c.Paid, taken+c.Taken
	}
	k := float64(events) / 1000
	return fmt.Sprintf("badges: %s; ledger rows: %d awards, %d revocations = %.1f and %.1f per 1000 events",
		strings.Join(parts, ", "), paid, taken, float64(paid)/k, float64(taken)/k)
}

// subtractAwards is what a measured drain did to the badges its warm-up left: the badges it
// added, the revocations it added (net: a badge awarded anew takes one back), and the ledger
// rows of both.
func subtractAwards(after, before []awardCount) []awardCount {
	was := map[string]awardCount{}
	for _, c := range before {
		was[c.Kind] = c
	}
	out := make([]awardCount, 0, len(after))
	for _, c := range after {
		b := was[c.Kind]
		c.Standing, c.Revoked = c.Standing+c.Revoked-b.Standing-b.Revoked, c.Revoked-b.Revoked
		c.Standing -= c.Revoked
		c.Paid, c.Taken = c.Paid-b.Paid, c.Taken-b.Taken
		out = append(out, c)
	}
	return out
}
