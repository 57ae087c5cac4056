package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/achievement"
	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
	"bullpen/internal/pace"
	"bullpen/internal/target"
)

// applyAchievements judges the badges of the reps a batch touched, inside its transaction and
// after its deals and attainment are written: it locks those reps' balances (so two
// consumers judge one rep one after the other) and reads their epochs. A rep this process
// knows well enough (knownReps) is decided from what it knows; the others are read with
// set-based statements in one round trip. It writes what Decide chose: an award row per
// occurrence (unique per rep, kind and occurrence, so however often a batch runs, each is
// awarded once), its ledger row when it pays points, a revocation and its reversing row. It
// returns the changed awards, the balances of the reps whose points moved, and what to learn
// of the reps once the batch has committed (or to release if it does not).
//
// prior is each of the batch's stored deals that was won before the batch (a reversal's day).
func (db *DB) applyAchievements(ctx context.Context, tx pgx.Tx, rules achievement.Rules, prior map[string]priorWin,
	out ingest.Output, moved []target.Value) ([]achievement.Award, map[string]bullpen.Balance, *learning, error) {
	cal := db.calendar()
	reps := touchedReps(rules, cal, prior, out, moved)
	if len(reps) == 0 {
		return nil, nil, nil, nil
	}
	ids := make([]string, len(reps))
	for i, r := range reps {
		ids[i] = r.RepID
	}
	epochs, err := lockAndReadEpochs(ctx, tx, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	in := achievement.Input{Rules: rules, Calendar: cal, Reps: reps}
	moves := movesByRep(rules, moved)
	known, toRead := db.known.plan(in, moves, epochs)
	learnt := &learning{rules: rules, epoch: newEpoch(), prior: epochs, read: map[string]bool{}, reps: reps, moves: moves}
	if len(toRead) > 0 {
		for _, r := range toRead {
			learnt.read[r.RepID] = true
		}
		var theirs []target.Value
		for _, v := range moved {
			if learnt.read[v.RepID] {
				theirs = append(theirs, v)
			}
		}
		if err := readAchievementState(ctx, tx, rules, cal, toRead, theirs, learnt.epoch); err != nil {
			return nil, nil, learnt, fmt.Errorf("read achievements: %w", err)
		}
	}
	for i, r := range reps { // in rep order: the ledger's rows and the messages keep it
		d, ok := known[r.RepID]
		if !ok {
			d.rep, toRead = toRead[0], toRead[1:]
			d.out = decide(in, d.rep)
		}
		reps[i] = d.rep
		learnt.outs = append(learnt.outs, d.out)
		learnt.out.Earned = append(learnt.out.Earned, d.out.Earned...)
		learnt.out.Revoked = append(learnt.out.Revoked, d.out.Revoked...)
	}
	if learnt.out.Empty() {
		return nil, nil, learnt, nil
	}
	changed, err := writeAchievements(ctx, tx, learnt.out)
	if err != nil {
		return nil, nil, learnt, err
	}
	var paid []string
	for _, a := range changed {
		if a.Points != 0 {
			paid = append(paid, a.RepID)
		}
	}
	balances, err := SumBalances(ctx, tx, paid)
	return changed, balances, learnt, err
}

// calendar is the selling calendar badges count days in; without one, Monday to Friday in UTC.
func (db *DB) calendar() pace.Calendar {
	if db.Calendar != nil {
		return *db.Calendar
	}
	cal, _ := pace.NewCalendar(time.UTC, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, nil)
	return cal
}

// localDate is t's date in the calendar's zone, as a civil date at UTC midnight.
func localDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// priorWin is a stored deal's win as it stood before the batch: when, and whose.
type priorWin struct {
	at  time.Time
	rep string
}

// touchedReps are the reps whose deals the batch changed (with the local dates of those
// wins, before and after, and how many wins each date gained) and whose attainment it moved,
// by rep id. A deal won before the batch counts for the rep that had it then, on its day then.
func touchedReps(rules achievement.Rules, cal pace.Calendar, prior map[string]priorWin, out ingest.Output, moved []target.Value) []achievement.Rep {
	byID := map[string]*achievement.Rep{}
	rep := func(id string) *achievement.Rep {
		r := byID[id]
		if r == nil {
			r = &achievement.Rep{RepID: id, Wins: map[time.Time]int{}, Changed: map[time.Time]int{}}
			byID[id] = r
		}
		return r
	}
	loc := cal.Location()
	deals := map[string]bool{}
	if rules.ByDay() || rules.LargestDeal.Enabled || rules.BestPeriod.Enabled {
		for _, a := range out.Applied {
			if !a.Changed || a.Event.Type == event.Activity {
				continue
			}
			d := out.Deals[a.Event.DealID]
			if d == nil || deals[d.DealID] {
				continue
			}
			deals[d.DealID] = true
			r := rep(d.RepID)
			before, was := prior[d.DealID]
			var p *achievement.Rep // the rep that had it won before the batch
			if was {
				p = rep(before.rep)
			}
			if rules.ByDay() {
				day := localDate(d.WonAt, loc)
				r.Days = append(r.Days, day)
				if d.Won {
					r.Changed[day]++
				}
				if was {
					day := localDate(before.at, loc)
					p.Days = append(p.Days, day)
					p.Changed[day]--
				}
			}
			if rules.LargestDeal.Enabled {
				r.Deals = append(r.Deals, achievement.Deal{DealID: d.DealID, Won: d.Won, Amount: d.Amount})
				if was && p != r { // won again by another rep in the batch: the first one's was reversed
					p.Deals = append(p.Deals, achievement.Deal{DealID: d.DealID, Amount: d.Amount})
				}
			}
			if unit := rules.BestPeriod.Period; rules.BestPeriod.Enabled {
				r.Periods = touchPeriod(r.Periods, unit, d.WonAt, loc, d.Won && (!was || p != r))
				if was {
					p.Periods = touchPeriod(p.Periods, unit, before.at, loc, false)
				}
			}
		}
	}
	if rules.QuotaClub.Enabled {
		for _, v := range moved {
			rep(v.RepID)
		}
	}
	out2 := make([]achievement.Rep, 0, len(byID))
	for _, r := range byID {
		slices.SortFunc(r.Days, time.Time.Compare)
		r.Days = slices.Compact(r.Days)
		out2 = append(out2, *r)
	}
	slices.SortFunc(out2, func(a, b achievement.Rep) int { return compareStrings(a.RepID, b.RepID) })
	return out2
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readAchievementState fills reps with their two largest won deals, their moved targets, their
// touched periods' revenue (queuePeriods) and the badges those could touch (of days: first
// win and hat-trick), in one pipelined round trip, then with their wins by local day and, for
// a rep whose day gained its first win or lost its last, its streaks (readWins). The first
// round trip also writes epoch as the reps' (knownReps): they are judged.
func readAchievementState(ctx context.Context, tx pgx.Tx, rules achievement.Rules, cal pace.Calendar, reps []achievement.Rep,
	moved []target.Value, epoch int64) error {
	var dayReps, lowKeys, highKeys []string
	var topReps, dealReps, dealIDs []string
	for _, r := range reps {
		if len(r.Days) > 0 { // first win and hat-trick: the touched days (Days are sorted); streaks: readWins
			dayReps = append(dayReps, r.RepID)
			lowKeys, highKeys = append(lowKeys, r.Days[0].Format(time.DateOnly)), append(highKeys, r.Days[len(r.Days)-1].AddDate(0, 0, 1).Format(time.DateOnly))
		}
		if len(r.Deals) > 0 {
			topReps = append(topReps, r.RepID)
		}
		for _, d := range mayBeJudged(r.Deals) {
			dealReps, dealIDs = append(dealReps, r.RepID), append(dealIDs, d.DealID)
		}
	}
	var quotaSets []int64
	var quotaReps []string
	var quotaValues []int64
	if rules.QuotaClub.Enabled {
		for _, v := range moved {
			quotaSets, quotaReps, quotaValues = append(quotaSets, v.SetID), append(quotaReps, v.RepID), append(quotaValues, int64(v.Value))
		}
	}

	ids := make([]string, len(reps))
	for i, r := range reps {
		ids[i] = r.RepID
	}
	b := &pgx.Batch{}
	queueEpochs(b, ids, epoch)
	b.Queue(`SELECT r.rep_id, t.deal_id, t.amount FROM unnest($1::text[]) AS r(rep_id)
		CROSS JOIN LATERAL (SELECT d.deal_id, d.amount FROM deals d WHERE d.rep_id = r.rep_id AND d.won
			ORDER BY d.amount DESC, d.deal_id LIMIT 2) t
		ORDER BY r.rep_id, t.amount DESC, t.deal_id`, topReps)
	b.Queue(`SELECT v.rep_id, v.set_id, s.period, s.metric, v.value, t.target
		FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS v(set_id, rep_id, value)
		JOIN target_sets s ON s.id = v.set_id JOIN targets t ON t.set_id = v.set_id AND t.rep_id = v.rep_id`,
		quotaSets, quotaReps, quotaValues)
	b.Queue(`SELECT `+awardColumns+` FROM unnest($1::text[], $2::text[], $3::text[]) AS r(rep_id, lo, hi)
		JOIN achievements a ON a.rep_id = r.rep_id AND a.kind IN ('first_win', 'hat_trick')
			AND a.occurrence >= r.lo AND a.occurrence < r.hi
		UNION ALL
		SELECT `+awardColumns+` FROM unnest($4::text[], $5::text[]) AS r(rep_id, deal_id)
		JOIN achievements a ON a.rep_id = r.rep_id AND a.kind = 'largest_deal' AND a.occurrence = r.deal_id
		UNION ALL
		SELECT `+awardColumns+` FROM (SELECT DISTINCT v.rep_id, s.period || '/' || s.metric AS occurrence
			FROM unnest($6::bigint[], $7::text[]) AS v(set_id, rep_id) JOIN target_sets s ON s.id = v.set_id) q
		JOIN achievements a ON a.rep_id = q.rep_id AND a.kind = 'quota_club' AND a.occurrence = q.occurrence`,
		dayReps, lowKeys, highKeys, dealReps, dealIDs, quotaSets, quotaReps)
	periods := queuePeriods(b, rules, cal, reps)
	br := tx.SendBatch(ctx, b)
	defer func() { _ = br.Close() }()

	byID := make(map[string]*achievement.Rep, len(reps))
	for i := range reps {
		byID[reps[i].RepID] = &reps[i]
	}
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("mark achievements judged: %w", err)
	}
	var repID string
	var top achievement.Deal
	rows, _ := br.Query()
	if _, err := pgx.ForEachRow(rows, []any{&repID, &top.DealID, &top.Amount}, func() error {
		top.Won = true
		byID[repID].Top = append(byID[repID].Top, top)
		return nil
	}); err != nil {
		return err
	}
	var q achievement.Quota
	rows, _ = br.Query()
	if _, err := pgx.ForEachRow(rows, []any{&repID, &q.SetID, &q.Period, &q.Metric, &q.Value, &q.Target}, func() error {
		byID[repID].Quotas = append(byID[repID].Quotas, q)
		return nil
	}); err != nil {
		return err
	}
	rows, _ = br.Query()
	if err := addAwards(rows, byID); err != nil {
		return err
	}
	if err := periods.read(br, rules.BestPeriod.Period, byID); err != nil {
		return err
	}
	if err := br.Close(); err != nil {
		return err
	}
	return readWins(ctx, tx, rules, cal, reps)
}

// mayBeJudged are the deals of a rep's batch whose personal best Decide may judge: the ones no
// longer won (a badge to revoke) and the largest won ones (only a deal larger than every other
// can be the rep's largest); their badges are read, not those of the rest.
func mayBeJudged(deals []achievement.Deal) []achievement.Deal {
	var largest bullpen.Fixed
	won := false
	for _, d := range deals {
		if d.Won && (!won || d.Amount > largest) {
			largest, won = d.Amount, true
		}
	}
	var out []achievement.Deal
	for _, d := range deals {
		if !d.Won || d.Amount == largest {
			out = append(out, d)
		}
	}
	return out
}

// writeAchievements writes the decision in one round trip of two statements: every award (a
// new row, or a revoked one awarded anew; nothing when it stands already) with its ledger row,
// then every revocation (only of a badge still standing) with its reversing row, each in the
// order Decide chose. It returns the awards as they now are, in that order. (A statement per
// badge cost the batch a parse, a plan and an execution each: ~200 a batch in the benchmark.)
func writeAchievements(ctx context.Context, tx pgx.Tx, o achievement.Outcome) ([]achievement.Award, error) {
	var reps, kinds, keys, notes []string
	var deals []*string
	var points []int64
	seen := map[[3]string]bool{}
	for _, e := range o.Earned {
		k := [3]string{e.RepID, string(e.Kind), e.Key}
		if seen[k] { // one row can be inserted once a statement; a second award of it would change nothing
			continue
		}
		seen[k] = true
		var deal *string
		if e.DealID != "" {
			deal = &e.DealID
		}
		reps, kinds, keys, deals = append(reps, e.RepID), append(kinds, string(e.Kind)), append(keys, e.Key), append(deals, deal)
		points, notes = append(points, e.Points), append(notes, e.Note)
	}
	var ids []int64
	var reasons []string
	revoking := map[int64]bool{}
	for _, r := range o.Revoked {
		if !revoking[r.Award.ID] { // a second revocation of one badge would take its points back twice
			revoking[r.Award.ID] = true
			ids, reasons = append(ids, r.Award.ID), append(reasons, r.Note)
		}
	}
	b := &pgx.Batch{}
	if len(reps) > 0 {
		b.Queue(`WITH e AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
				WITH ORDINALITY AS e(rep_id, kind, occurrence, deal_id, points, note, i)),
			a AS (
				INSERT INTO achievements AS a (rep_id, kind, occurrence, deal_id, points, note)
				SELECT rep_id, kind, occurrence, deal_id, points, note FROM e ORDER BY i
				ON CONFLICT (rep_id, kind, occurrence) DO UPDATE SET points = excluded.points, note = excluded.note,
					deal_id = excluded.deal_id, awarded_at = now(), revoked_at = NULL, revoked_reason = NULL
				WHERE a.revoked_at IS NOT NULL
				RETURNING a.*),
			l AS (INSERT INTO ledger (rep_id, points, reason, deal_id, achievement_id, by, note)
				SELECT a.rep_id, a.points, 'achievement', a.deal_id, a.id, $7, a.note FROM a JOIN e USING (rep_id, kind, occurrence)
				WHERE a.points <> 0 ORDER BY e.i)
			SELECT `+awardColumns+` FROM a JOIN e USING (rep_id, kind, occurrence) ORDER BY e.i`,
			reps, kinds, keys, deals, points, notes, bullpen.SystemActor)
	}
	if len(ids) > 0 {
		b.Queue(`WITH r AS (SELECT * FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS r(id, reason, i)),
			a AS (
				UPDATE achievements AS a SET revoked_at = now(), revoked_reason = r.reason FROM r WHERE a.id = r.id AND a.revoked_at IS NULL
				RETURNING a.*),
			l AS (INSERT INTO ledger (rep_id, points, reason, deal_id, achievement_id, by, note)
				SELECT a.rep_id, -a.points, 'achievement', a.deal_id, a.id, $3, a.revoked_reason FROM a JOIN r USING (id)
				WHERE a.points <> 0 ORDER BY r.i)
			SELECT `+awardColumns+` FROM a JOIN r USING (id) ORDER BY r.i`,
			ids, reasons, bullpen.SystemActor)
	}
	br := tx.SendBatch(ctx, b)
	defer func() { _ = br.Close() }()
	var changed []achievement.Award
	for range b.Len() {
		rows, _ := br.Query()
		got, err := pgx.CollectRows(rows, scanAward)
		if err != nil {
			return nil, fmt.Errorf("award or revoke achievements: %w", err)
		}
		changed = append(changed, got...)
	}
	return changed, br.Close()
}

// judgeAchievements runs the achievements pass of a batch when a rule is on, queues its
// messages and adds the balances it moved to the batch's result.
// What the judging read and chose goes to learn, for knownReps once the batch has committed.
func (db *DB) judgeAchievements(ctx context.Context, tx pgx.Tx, in ingest.Input, prior map[string]priorWin, out ingest.Output,
	res *ingest.Result, learn **learning) error {
	if !in.Achievements.Any() {
		return nil
	}
	changed, balances, learnt, err := db.applyAchievements(ctx, tx, in.Achievements, prior, out, res.Attainment)
	*learn = learnt
	if err != nil || len(changed) == 0 {
		return err
	}
	for id, b := range balances {
		if res.Balances == nil {
			res.Balances = map[string]bullpen.Balance{}
		}
		res.Balances[id] = b
	}
	return insertNotices(ctx, tx, achievement.Notices(changed, balances, in.Reps))
}
