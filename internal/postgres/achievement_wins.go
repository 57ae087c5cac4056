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

// readWins fills reps' wins on their touched days in one round trip, reading no more of the
// deals than Decide can tell apart: a touched day whose hat-trick stands (or with the
// hat-trick off) is counted up to 3 wins (first win asks for one, the hat-trick's revocation
// for fewer than 3, and a standing hat-trick is not awarded again, so more would change
// nothing), or to one more than the batch added there, so that Rep.Flipped can tell; a day
// whose hat-trick could be earned is counted whole, for its note. A rep's day
// can hold dozens of wins, and reading each of them for every batch that touches the rep was
// most of the achievements' reading. Then, with the streak rule on, readStreaks reads the
// window of the reps whose touched day gained its first win or lost its last.
func readWins(ctx context.Context, tx pgx.Tx, rules achievement.Rules, cal pace.Calendar, reps []achievement.Rep) error {
	loc := cal.Location()
	type dayRef struct {
		rep *achievement.Rep
		day time.Time
	}
	var refs []dayRef
	var dayReps []string
	var dayLows, dayHighs []time.Time
	var caps []*int32
	for i := range reps {
		r := &reps[i]
		standing := map[string]bool{}
		for _, a := range r.Awards {
			if a.Kind == achievement.HatTrick && a.Active() {
				standing[a.Key] = true
			}
		}
		for _, day := range r.Days {
			var limit *int32
			if !rules.HatTrick.Enabled || standing[day.Format(time.DateOnly)] {
				// and one more than the batch added, to tell whether the day had a win before it
				n := int32(max(hatTrickWins, r.Changed[day]+1))
				limit = &n
			}
			refs = append(refs, dayRef{r, day})
			dayReps, caps = append(dayReps, r.RepID), append(caps, limit)
			dayLows, dayHighs = append(dayLows, localMidnight(day, loc)), append(dayHighs, localMidnight(day.AddDate(0, 0, 1), loc))
		}
	}
	if len(refs) == 0 {
		return nil
	}
	rows, _ := tx.Query(ctx, `SELECT r.i, (SELECT count(*) FROM (SELECT FROM deals d WHERE d.rep_id = r.rep_id AND d.won
			AND d.won_at >= r.lo AND d.won_at < r.hi LIMIT r.cap) w)
		FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int4[]) WITH ORDINALITY AS r(rep_id, lo, hi, cap, i)`,
		dayReps, dayLows, dayHighs, caps)
	var i int64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&i, &n}, func() error {
		if n > 0 {
			ref := refs[i-1]
			ref.rep.Wins[ref.day] = n
		}
		return nil
	}); err != nil {
		return err
	}
	if !rules.Streak.Enabled {
		return nil
	}
	return readStreaks(ctx, tx, rules, cal, reps)
}

// readStreaks fills, for each rep whose touched day gained its first win or lost its last
// (Rep.Flipped: only then can a streak change), its wins by local day over the rest of
// Window(Days), the touched days left out (readWins counted them), and its streak badges
// there, in one round trip.
func readStreaks(ctx context.Context, tx pgx.Tx, rules achievement.Rules, cal pace.Calendar, reps []achievement.Rep) error {
	loc := cal.Location()
	byID := map[string]*achievement.Rep{}
	var windowReps, windowLows, windowHighs []string
	var gapReps []string
	var gapLows, gapHighs []time.Time
	for i := range reps {
		r := &reps[i]
		if len(r.Days) == 0 || !r.Flipped() {
			continue
		}
		byID[r.RepID] = r
		from, to := achievement.Window(rules, cal, r.Days)
		windowReps = append(windowReps, r.RepID)
		windowLows, windowHighs = append(windowLows, from.Format(time.DateOnly)), append(windowHighs, to.AddDate(0, 0, 1).Format(time.DateOnly))
		for j := 0; j <= len(r.Days); j++ { // Days are sorted and distinct; the last gap ends after to
			end := to.AddDate(0, 0, 1)
			if j < len(r.Days) {
				end = r.Days[j]
			}
			if end.After(from) {
				gapReps = append(gapReps, r.RepID)
				gapLows, gapHighs = append(gapLows, localMidnight(from, loc)), append(gapHighs, localMidnight(end, loc))
			}
			from = end.AddDate(0, 0, 1)
		}
	}
	if len(windowReps) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT r.rep_id, (d.won_at AT TIME ZONE $4)::date, count(*)
		FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS r(rep_id, lo, hi)
		JOIN deals d ON d.rep_id = r.rep_id AND d.won AND d.won_at >= r.lo AND d.won_at < r.hi
		GROUP BY 1, 2`, gapReps, gapLows, gapHighs, loc.String())
	b.Queue(`SELECT `+awardColumns+` FROM unnest($1::text[], $2::text[], $3::text[]) AS r(rep_id, lo, hi)
		JOIN achievements a ON a.rep_id = r.rep_id AND a.kind = 'streak' AND a.occurrence >= r.lo AND a.occurrence < r.hi`,
		windowReps, windowLows, windowHighs)
	br := tx.SendBatch(ctx, b)
	defer func() { _ = br.Close() }()
	var repID string
	var day time.Time
	var n int
	rows, _ := br.Query()
	if _, err := pgx.ForEachRow(rows, []any{&repID, &day, &n}, func() error {
		byID[repID].Wins[day] = n
		return nil
	}); err != nil {
		return err
	}
	rows, _ = br.Query()
	if err := addAwards(rows, byID); err != nil {
		return err
	}
	return br.Close()
}

// localMidnight is the instant the local date day (a civil date at UTC midnight) starts in loc.
func localMidnight(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
}
