package postgres

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
	"bullpen/internal/pace"
)

// touchPeriod adds to periods the rep's selling period (best period rule) that holds the
// instant at, once; grew says the touch is a new win (it only adds revenue).
func touchPeriod(periods []achievement.Period, unit string, at time.Time, loc *time.Location, grew bool) []achievement.Period {
	key, first, _ := achievement.Span(unit, localDate(at, loc))
	for i := range periods {
		if periods[i].Key == key {
			periods[i].Grew = periods[i].Grew && grew
			return periods
		}
	}
	return append(periods, achievement.Period{Key: key, First: first, Grew: grew})
}

// periodRead is the best period rule's part of a batch's read of achievement state.
type periodRead struct{ queued bool }

// queuePeriods queues, into the batch's one round trip, what the best period rule needs of
// each period a batch touched: its won revenue, its rival and its badge.
//
// What it reads, per touched period: its revenue, a range of the rep's won deals on the index
// deals_rep_won (rep_id, won_at), and the rep's first won deal (one probe of it). Not the rep's
// whole history each time: it walks back one period at a time, each a range of that index,
// and stops at the first period whose revenue is at or above this one's (the rival: then this
// one is no best), or at the rep's first deal. A period that is no record stops there within
// a period or two. After 4 periods, what is left is read at once, the rep's deals before them
// summed by period (the largest sum wins): that is the whole history, and only for a period
// that passes every period before it, or a record period moved down by a reversal or a change.
// A period whose badge stands and to which the batch only added wins (Period.Grew) is not
// read at all: it stays the best. Nor is the revenue of a period without a badge that the
// rep's first won deal is in or after: with no earlier period, it cannot be the best.
// (Period.Total is then 0: Decide reads it only for a note of a badge.)
func queuePeriods(b *pgx.Batch, rules achievement.Rules, cal pace.Calendar, reps []achievement.Rep) periodRead {
	if !rules.BestPeriod.Enabled {
		return periodRead{}
	}
	unit := rules.BestPeriod.Period
	step := "1 month"
	if unit == achievement.Week {
		step = "7 days"
	}
	var ids, keys, firsts, nexts []string
	var grew []bool
	for _, r := range reps {
		for _, p := range r.Periods {
			_, first, next := achievement.Span(unit, p.First)
			ids, keys, grew = append(ids, r.RepID), append(keys, p.Key), append(grew, p.Grew)
			firsts, nexts = append(firsts, first.Format(time.DateOnly)), append(nexts, next.Format(time.DateOnly))
		}
	}
	zone := cal.Location().String()
	b.Queue(`WITH RECURSIVE t AS MATERIALIZED ( -- each probe once (inlined, a column read twice ran its probe twice)
			SELECT u.*, EXISTS (SELECT 1 FROM achievements a WHERE a.rep_id = u.rep_id AND a.kind = 'best_period'
					AND a.occurrence = u.key AND a.revoked_at IS NULL) AS standing
			FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $7::boolean[]) AS u(rep_id, key, lo, hi, grew)),
		s AS MATERIALIZED (
			SELECT t.*, CASE WHEN t.grew AND t.standing THEN NULL
					ELSE (SELECT min(d.won_at) FROM deals d WHERE d.rep_id = t.rep_id AND d.won) END AS since
			FROM t),
		p AS (
			SELECT s.rep_id, s.key, s.lo::timestamp AS lo, s.since,
				CASE WHEN s.since < s.lo::timestamp AT TIME ZONE $6 OR s.standing AND NOT s.grew THEN
					(SELECT coalesce(sum(d.amount), 0)::bigint FROM deals d WHERE d.rep_id = s.rep_id AND d.won
						AND d.won_at >= s.lo::timestamp AT TIME ZONE $6 AND d.won_at < s.hi::timestamp AT TIME ZONE $6) END AS total
			FROM s),
		w AS (
			SELECT rep_id, key, total, since, lo AS at, NULL::timestamp AS best_at, 0::bigint AS best, false AS done, 0 AS n FROM p
			UNION ALL
			SELECT w.rep_id, w.key, w.total, w.since, w.at - $5::interval,
				CASE WHEN s.sum > w.best THEN w.at - $5::interval ELSE w.best_at END, greatest(w.best, s.sum), s.sum >= w.total, w.n + 1
			FROM w CROSS JOIN LATERAL (SELECT coalesce(sum(d.amount), 0)::bigint AS sum FROM deals d
				WHERE d.rep_id = w.rep_id AND d.won AND d.won_at >= (w.at - $5::interval) AT TIME ZONE $6
					AND d.won_at < w.at AT TIME ZONE $6) s
			WHERE NOT w.done AND w.since < w.at AT TIME ZONE $6 AND w.n < 4),
		last AS (SELECT DISTINCT ON (rep_id, key) * FROM w ORDER BY rep_id, key, at)
		SELECT l.rep_id, l.key, coalesce(l.total, 0),
			coalesce(to_char(CASE WHEN g.sum > l.best THEN g.at ELSE l.best_at END, 'YYYY-MM-DD'), ''), greatest(l.best, g.sum)
		FROM last l LEFT JOIN LATERAL (
			SELECT date_trunc($8, d.won_at AT TIME ZONE $6) AS at, sum(d.amount)::bigint AS sum FROM deals d
			WHERE d.rep_id = l.rep_id AND d.won AND d.won_at < l.at AT TIME ZONE $6
			GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1) g ON NOT l.done AND l.since < l.at AT TIME ZONE $6`,
		ids, keys, firsts, nexts, step, zone, grew, unit)
	b.Queue(`SELECT `+awardColumns+` FROM unnest($1::text[], $2::text[]) AS r(rep_id, key)
		JOIN achievements a ON a.rep_id = r.rep_id AND a.kind = 'best_period' AND a.occurrence = r.key`, ids, keys)
	return periodRead{queued: true}
}

// read fills the reps' periods and best period badges from what queuePeriods queued.
func (pr periodRead) read(br pgx.BatchResults, unit string, byID map[string]*achievement.Rep) error {
	if !pr.queued {
		return nil
	}
	var repID, key, rival string
	var total, best int64
	rows, _ := br.Query()
	if _, err := pgx.ForEachRow(rows, []any{&repID, &key, &total, &rival, &best}, func() error {
		r := byID[repID]
		for i := range r.Periods {
			if r.Periods[i].Key != key {
				continue
			}
			p := &r.Periods[i]
			p.Total = bullpen.Fixed(total)
			if rival != "" {
				at, err := time.Parse(time.DateOnly, rival)
				if err != nil {
					return fmt.Errorf("best period of %s: %w", repID, err)
				}
				p.Rival, _, _ = achievement.Span(unit, at)
				p.RivalTotal = bullpen.Fixed(best)
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("best periods: %w", err)
	}
	rows, _ = br.Query()
	return addAwards(rows, byID)
}
