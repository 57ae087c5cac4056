package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/incentive"
	"bullpen/internal/ingest"
)

// applyIncentives runs a batch's new wins and reversals against the spot incentives, inside the
// batch's transaction and after its deals are written: it locks the incentives the batch may
// touch, loads what the rule needs of them, lets incentive.Decide choose and writes what it
// chose. The incentive rows stay locked until the batch commits, so two consumers decide one
// incentive's winners one after the other, each seeing the other's; with each event applied
// once, that makes exactly max_winners winners however the events are spread.
func applyIncentives(ctx context.Context, tx pgx.Tx, applied []ingest.Applied, deals map[string]*ingest.Deal, grace time.Duration) (incentive.Outcome, error) {
	var wins bool
	var reversedDeals []string
	for _, a := range applied {
		if !a.Changed {
			continue
		}
		switch a.Event.Type {
		case event.DealWon:
			wins = true
		case event.DealReversed:
			reversedDeals = append(reversedDeals, a.Event.DealID)
		}
	}
	if !wins && len(reversedDeals) == 0 {
		return incentive.Outcome{}, nil
	}
	incs, now, err := lockIncentives(ctx, tx, wins, reversedDeals, grace)
	if err != nil || len(incs) == 0 {
		return incentive.Outcome{}, err
	}
	states, err := loadIncentiveStates(ctx, tx, incs, applied, now)
	if err != nil || len(states) == 0 {
		return incentive.Outcome{}, err
	}
	out := incentive.Decide(incentive.Input{Applied: applied, Deals: deals, Incentives: states, Now: now})
	return out, writeIncentiveChanges(ctx, tx, out, now)
}

// lockIncentives locks, in id order, the incentives a batch may touch: those a new win may
// still qualify for (launched, not closed early, window not long past) and those whose winning
// deals the batch reverses. It also returns the transaction's now().
func lockIncentives(ctx context.Context, tx pgx.Tx, withWins bool, reversedDeals []string, grace time.Duration) ([]*incentive.Incentive, time.Time, error) {
	var now time.Time
	if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
		return nil, now, fmt.Errorf("read the transaction's time: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT `+incentiveColumns+` FROM incentives
		WHERE ($1 AND ended_at IS NULL AND ends_at > now() - $2 * interval '1 second')
		   OR id IN (SELECT incentive_id FROM incentive_entries WHERE deal_id = ANY($3) AND won_at IS NOT NULL AND clawed_back_at IS NULL)
		ORDER BY id FOR UPDATE`, withWins, grace.Seconds(), reversedDeals)
	if err != nil {
		return nil, now, fmt.Errorf("lock incentives: %w", err)
	}
	incs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*incentive.Incentive, error) { return scanIncentive(r) })
	if err != nil {
		return incs, now, fmt.Errorf("lock incentives: %w", err)
	}
	return incs, now, nil
}

// loadIncentiveStates reads, for the locked incentives the batch can change, the entries that
// hold a place and, where the batch may free one, the entries waiting for it. The deals are
// read as the batch leaves them (it wrote them already), as the rule wants.
func loadIncentiveStates(ctx context.Context, tx pgx.Tx, incs []*incentive.Incentive, applied []ingest.Applied, now time.Time) ([]incentive.State, error) {
	var states []incentive.State
	var ids []string
	for _, inc := range incs {
		s := incentive.State{Incentive: inc}
		if s.Touched(applied, now) {
			states = append(states, s)
			ids = append(ids, inc.ID)
		}
	}
	if len(states) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT incentive_id::text, event_id, rep_id, deal_id FROM incentive_entries
		WHERE incentive_id = ANY($1::uuid[]) AND won_at IS NOT NULL AND clawed_back_at IS NULL ORDER BY seq`, ids)
	if err != nil {
		return nil, fmt.Errorf("incentive holders: %w", err)
	}
	holders := map[string][]incentive.Entry{}
	var id string
	var e incentive.Entry
	_, err = pgx.ForEachRow(rows, []any{&id, &e.EventID, &e.RepID, &e.DealID}, func() error {
		holders[id] = append(holders[id], e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("incentive holders: %w", err)
	}
	for i := range states {
		s := &states[i]
		s.Holders = holders[s.Incentive.ID]
		if !s.FreesPlace(applied, now) {
			continue
		}
		// Each rep's earliest entry that never won and whose deal is still won by it.
		rows, err := tx.Query(ctx, `SELECT event_id, rep_id, deal_id FROM (
				SELECT DISTINCT ON (e.rep_id) e.seq, e.event_id, e.rep_id, e.deal_id FROM incentive_entries e
				JOIN deals d ON d.deal_id = e.deal_id AND d.won AND d.won_event_id = e.event_id
				WHERE e.incentive_id = $1 AND e.won_at IS NULL
				ORDER BY e.rep_id, e.seq) first
			ORDER BY seq LIMIT $2`, s.Incentive.ID, s.Incentive.MaxWinners)
		if err != nil {
			return nil, fmt.Errorf("incentive entries waiting: %w", err)
		}
		if s.Waiting, err = pgx.CollectRows(rows, pgx.RowToStructByPos[incentive.Entry]); err != nil {
			return nil, fmt.Errorf("incentive entries waiting: %w", err)
		}
	}
	return states, nil
}

// writeIncentiveChanges writes the outcome in the order it was decided, in one round trip
// after the paid reps' balance locks: entries take their seq (the order a freed place goes
// by) and ledger rows their ids in that order.
func writeIncentiveChanges(ctx context.Context, tx pgx.Tx, out incentive.Outcome, now time.Time) error {
	if len(out.Changes) == 0 {
		return nil
	}
	if err := LockBalances(ctx, tx, out.Paid()); err != nil {
		return err
	}
	b := &pgx.Batch{}
	var what []string
	for _, c := range out.Changes {
		inc, e := c.Incentive, c.Entry
		switch c.Kind {
		case incentive.Entered:
			b.Queue(`INSERT INTO incentive_entries (incentive_id, event_id, rep_id, deal_id, applied_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, inc.ID, e.EventID, e.RepID, e.DealID, now)
			what = append(what, "incentive entry")
			continue
		case incentive.Won:
			b.Queue(`UPDATE incentive_entries SET won_at = $3 WHERE incentive_id = $1 AND event_id = $2`, inc.ID, e.EventID, now)
			what = append(what, "incentive win")
		case incentive.ClawedBack:
			b.Queue(`UPDATE incentive_entries SET clawed_back_at = $3 WHERE incentive_id = $1 AND event_id = $2`, inc.ID, e.EventID, now)
			what = append(what, "claw back")
		}
		b.Queue(`INSERT INTO ledger (rep_id, points, reason, event_id, deal_id, incentive_id, by, note)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.RepID, c.Points(), c.Reason(), e.EventID, e.DealID, inc.ID, bullpen.SystemActor, c.Note())
		what = append(what, "pay "+string(c.Reason()))
	}
	br := tx.SendBatch(ctx, b)
	for _, w := range what {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return fmt.Errorf("%s: %w", w, err)
		}
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("incentive changes: %w", err)
	}
	return nil
}
