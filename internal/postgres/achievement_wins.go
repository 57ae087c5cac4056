package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/achievement"
	"bullpen/internal/pace"
)

// hatTrickWins is as many wins of a day as the hat-trick counts.
const hatTrickWins = 3

// readWins fills reps' wins by local day over Window(Days), in one round trip, reading no more
// of the deals than Decide can tell apart. A touched day whose hat-trick stands (or with the
// hat-trick off) is counted up to 3 wins: first win and streak ask for one, the hat-trick's
// revocation for fewer than 3, and a standing hat-trick is not awarded again, so more would
// change nothing; a day whose hat-trick could be earned is counted whole, for its note. The
// rest of the window (the streak's days either side) is read apart, touched days left out. A
// rep's day can hold dozens of wins, and reading each of them for every batch that touches the
// rep was most of the achievements' reading.
func readWins(ctx context.Context, tx pgx.Tx, rules achievement.Rules, cal pace.Calendar, reps []achievement.Rep) error {
	loc := cal.Location()
	midnight := func(day time.Time) time.Time { return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc) }
	type dayRef struct {
		rep *achievement.Rep
		day time.Time
	}
	var refs []dayRef
	var dayReps []string
	var dayLows, dayHighs []time.Time
	var caps []*int32
	var gapReps []string
	var gapLows, gapHighs []time.Time
	for i := range reps {
		r := &reps[i]
		if len(r.Days) == 0 {
			continue
		}
		standing := map[string]bool{}
		for _, a := range r.Awards {
			if a.Kind == achievement.HatTrick && a.Active() {
				standing[a.Key] = true
			}
		}
		for _, day := range r.Days {
			var limit *int32
			if !rules.HatTrick.Enabled || standing[day.Format(time.DateOnly)] {
				n := int32(hatTrickWins)
				limit = &n
			}
			refs = append(refs, dayRef{r, day})
			dayReps, caps = append(dayReps, r.RepID), append(caps, limit)
			dayLows, dayHighs = append(dayLows, midnight(day)), append(dayHighs, midnight(day.AddDate(0, 0, 1)))
		}
		if !rules.Streak.Enabled {
			continue // Decide reads the touched days alone
		}
		from, to := achievement.Window(rules, cal, r.Days)
		for j := 0; j <= len(r.Days); j++ { // Days are sorted and distinct; the last gap ends after to
			end := to.AddDate(0, 0, 1)
			if j < len(r.Days) {
				end = r.Days[j]
			}
			if end.After(from) {
				gapReps = append(gapReps, r.RepID)
				gapLows, gapHighs = append(gapLows, midnight(from)), append(gapHighs, midnight(end))
			}
			from = end.AddDate(0, 0, 1)
		}
	}
	if len(refs) == 0 {
		return nil
	}

	b := &pgx.Batch{}
	b.Queue(`SELECT r.i, (SELECT count(*) FROM (SELECT FROM deals d WHERE d.rep_id = r.rep_id AND d.won
			AND d.won_at >= r.lo AND d.won_at < r.hi LIMIT r.cap) w)
		FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int4[]) WITH ORDINALITY AS r(rep_id, lo, hi, cap, i)`,
		dayReps, dayLows, dayHighs, caps)
	b.Queue(`SELECT r.rep_id, (d.won_at AT TIME ZONE $4)::date, count(*)
		FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(rep_id, lo, hi)
		JOIN deals d ON d.rep_id = r.rep_id AND d.won AND d.won_at >= r.lo AND d.won_at < r.hi
		GROUP BY 1, 2`, gapReps, gapLows, gapHighs, loc.String())
	br := tx.SendBatch(ctx, b)
	defer func() { _ = br.Close() }()

	var i int64
	var n int
	rows, _ := br.Query()
	if _, err := pgx.ForEachRow(rows, []any{&i, &n}, func() error {
		if n > 0 {
			ref := refs[i-1]
			ref.rep.Wins[ref.day] = n
		}
		return nil
	}); err != nil {
		return err
	}
	byID := make(map[string]*achievement.Rep, len(reps))
	for i := range reps {
		byID[reps[i].RepID] = &reps[i]
	}
	var repID string
	var day time.Time
	rows, _ = br.Query()
	if _, err := pgx.ForEachRow(rows, []any{&repID, &day, &n}, func() error {
		byID[repID].Wins[day] = n
		return nil
	}); err != nil {
		return err
	}
	return br.Close()
}
