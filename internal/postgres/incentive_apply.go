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
// batch's transaction: a qualifying win is recorded as an entry and, while places remain, wins;
// a reversal of a winning deal claws the reward back and, while the incentive is open, gives
// the place to the earliest entry of a rep who holds no win. The incentive rows are locked, so
// two consumers decide one incentive's winners one after the other, and each event is applied
// once: exactly max_winners winners however the events are spread. It returns the reps whose
// points changed.
func applyIncentives(ctx context.Context, tx pgx.Tx, applied []ingest.Applied, grace time.Duration) (*incentiveStep, error) {
	var wins, reversals []ingest.Applied
	var reversedDeals []string
	for _, a := range applied {
		if !a.Changed {
			continue
		}
		switch a.Event.Type {
		case event.DealWon:
			wins = append(wins, a)
		case event.DealReversed:
			reversals = append(reversals, a)
			reversedDeals = append(reversedDeals, a.Event.DealID)
		}
	}
	if len(wins) == 0 && len(reversals) == 0 {
		return nil, nil
	}
	incs, now, err := lockIncentives(ctx, tx, len(wins) > 0, reversedDeals, grace)
	if err != nil || len(incs) == 0 {
		return nil, err
	}
	s := &incentiveStep{tx: tx, now: now}
	for _, a := range applied {
		if !a.Changed {
			continue
		}
		for _, inc := range incs {
			switch a.Event.Type {
			case event.DealWon:
				if inc.Qualifies(a.Event, a.TeamID, now) {
					err = s.enter(ctx, inc, a.Event)
				}
			case event.DealReversed:
				err = s.reverse(ctx, inc, a.Event.DealID)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// lockIncentives locks, in id order, the incentives a batch may touch: those a new win may
// still qualify for (launched, not closed early, window not long past) and those whose winning
// deals the batch reverses. It also returns the transaction's now().
func lockIncentives(ctx context.Context, tx pgx.Tx, withWins bool, reversedDeals []string, grace time.Duration) ([]*incentive.Incentive, time.Time, error) {
	var now time.Time
	if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
		return nil, now, err
	}
	rows, err := tx.Query(ctx, `SELECT `+incentiveColumns+` FROM incentives
		WHERE ($1 AND ended_at IS NULL AND ends_at > now() - $2 * interval '1 second')
		   OR id IN (SELECT incentive_id FROM incentive_entries WHERE deal_id = ANY($3) AND won_at IS NOT NULL AND clawed_back_at IS NULL)
		ORDER BY id FOR UPDATE`, withWins, grace.Seconds(), reversedDeals)
	if err != nil {
		return nil, now, err
	}
	incs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*incentive.Incentive, error) { return scanIncentive(r) })
	return incs, now, err
}

type incentiveStep struct {
	tx      pgx.Tx
	now     time.Time
	paid    []string
	notices []pointsNotice
}

// pointsNotice is a reward or clawback message waiting for the rep's balance after the batch.
type pointsNotice struct {
	rep  string
	typ  string
	data map[string]any
}

// enter records a qualifying win and makes it a winner if the rep holds no win and a place is free.
func (s *incentiveStep) enter(ctx context.Context, inc *incentive.Incentive, ev event.Event) error {
	_, err := s.tx.Exec(ctx, `INSERT INTO incentive_entries (incentive_id, event_id, rep_id, deal_id, applied_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, inc.ID, ev.EventID, ev.RepID, ev.DealID, s.now)
	if err != nil {
		return fmt.Errorf("incentive entry: %w", err)
	}
	var holders, repHolds int
	err = s.tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE rep_id = $2) FROM incentive_entries
		WHERE incentive_id = $1 AND won_at IS NOT NULL AND clawed_back_at IS NULL`, inc.ID, ev.RepID).Scan(&holders, &repHolds)
	if err != nil {
		return err
	}
	if repHolds > 0 || holders >= inc.MaxWinners {
		return nil
	}
	return s.win(ctx, inc, ev.EventID, ev.RepID, ev.DealID)
}

// win makes an entry a winner and pays the reward.
func (s *incentiveStep) win(ctx context.Context, inc *incentive.Incentive, eventID, repID, dealID string) error {
	if err := LockBalances(ctx, s.tx, []string{repID}); err != nil {
		return err
	}
	if _, err := s.tx.Exec(ctx, `UPDATE incentive_entries SET won_at = $3 WHERE incentive_id = $1 AND event_id = $2`, inc.ID, eventID, s.now); err != nil {
		return err
	}
	_, err := s.tx.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, event_id, deal_id, incentive_id, by, note)
		VALUES ($1, $2, 'incentive', $3, $4, $5, $6, $7)`, repID, inc.RewardPoints, eventID, dealID, inc.ID, bullpen.SystemActor, inc.RewardNote(dealID))
	if err != nil {
		return fmt.Errorf("pay reward: %w", err)
	}
	s.paid = append(s.paid, repID)
	s.notices = append(s.notices, pointsNotice{rep: repID, typ: "reward", data: map[string]any{
		"points": inc.RewardPoints, "reason": bullpen.ReasonIncentive, "note": inc.RewardNote(dealID),
		"incentive_id": inc.ID, "deal_id": dealID, "event_id": eventID}})
	return nil
}

// reverse claws back the reward a reversed deal won and, while the incentive is open, passes
// the place on.
func (s *incentiveStep) reverse(ctx context.Context, inc *incentive.Incentive, dealID string) error {
	var eventID, repID string
	err := s.tx.QueryRow(ctx, `UPDATE incentive_entries SET clawed_back_at = $3
		WHERE incentive_id = $1 AND deal_id = $2 AND won_at IS NOT NULL AND clawed_back_at IS NULL
		RETURNING event_id, rep_id`, inc.ID, dealID, s.now).Scan(&eventID, &repID)
	if err == pgx.ErrNoRows {
		return nil // this deal won nothing here
	}
	if err != nil {
		return err
	}
	if err := LockBalances(ctx, s.tx, []string{repID}); err != nil {
		return err
	}
	_, err = s.tx.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, event_id, deal_id, incentive_id, by, note)
		VALUES ($1, $2, 'clawback', $3, $4, $5, $6, $7)`, repID, -inc.RewardPoints, eventID, dealID, inc.ID, bullpen.SystemActor, inc.ClawbackNote(dealID))
	if err != nil {
		return fmt.Errorf("claw back: %w", err)
	}
	s.paid = append(s.paid, repID)
	s.notices = append(s.notices, pointsNotice{rep: repID, typ: "clawback", data: map[string]any{
		"points": -inc.RewardPoints, "reason": bullpen.ReasonClawback, "note": inc.ClawbackNote(dealID),
		"incentive_id": inc.ID, "deal_id": dealID, "event_id": eventID}})
	if inc.StatusAt(s.now) != incentive.StatusOpen {
		return nil
	}
	// The earliest-applied entry of a rep holding no win whose deal is still won; if there is
	// none, the place stays free for the next qualifying event.
	var nextEvent, nextRep, nextDeal string
	err = s.tx.QueryRow(ctx, `SELECT e.event_id, e.rep_id, e.deal_id FROM incentive_entries e
		JOIN deals d ON d.deal_id = e.deal_id AND d.won AND d.won_event_id = e.event_id
		WHERE e.incentive_id = $1 AND e.won_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM incentive_entries w WHERE w.incentive_id = e.incentive_id AND w.rep_id = e.rep_id
		                  AND w.won_at IS NOT NULL AND w.clawed_back_at IS NULL)
		ORDER BY e.seq LIMIT 1`, inc.ID).Scan(&nextEvent, &nextRep, &nextDeal)
	if err == pgx.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	return s.win(ctx, inc, nextEvent, nextRep, nextDeal)
}

// notify queues each reward and clawback for the rep's feed, with the rep's balance after the
// batch, and each win for the floor.
func (s *incentiveStep) notify(ctx context.Context, balances map[string]bullpen.Balance, reps map[string]bullpen.Rep) error {
	var out []bullpen.Notice
	for _, n := range s.notices {
		n.data["balance"] = balances[n.rep].Points
		out = append(out, bullpen.Notice{Channel: bullpen.RepChannel(n.rep), Type: n.typ, Data: n.data})
		if n.typ == "reward" {
			r := reps[n.rep]
			out = append(out, bullpen.Notice{Channel: bullpen.ChannelFloor, Type: "incentive.won", Data: map[string]any{
				"incentive_id": n.data["incentive_id"], "rep_id": n.rep, "name": r.Name, "team_id": r.TeamID,
				"deal_id": n.data["deal_id"], "points": n.data["points"], "note": n.data["note"]}})
		}
	}
	return insertNotices(ctx, s.tx, out)
}
