package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
)

// readBatch takes the ingest lock and reads what a batch is applied against, in one round trip
// (the statements are pipelined and run in order, in the transaction): which events the
// ledger has already, the contests that may still count, the batch's deals (locked, in key
// order, so two consumers never deadlock on them), its reps and the target sets it may count in. A live batch is a few dozen
// events, and these were five round trips of its ~20, each a wait for the database's turn on
// a busy machine.
//
// It returns the input for the events never seen before (fresh, with their sources) and the
// ids of the redeliveries (in the ledger already, or twice in this batch: the first one wins).
// The deals and reps read are those of every event of the batch, redeliveries included: Apply
// only looks them up.
func (db *DB) readBatch(ctx context.Context, tx pgx.Tx, events []event.Event, sources []string) (
	in ingest.Input, fresh []event.Event, freshSources, dups []string, err error,
) {
	ids := make([]string, len(events))
	var dealIDs, repIDs []string
	var firstArrival, lastOccurred time.Time
	for i, e := range events {
		ids[i] = e.EventID
		if i == 0 || e.ArrivedAt.Before(firstArrival) {
			firstArrival = e.ArrivedAt
		}
		if e.OccurredAt.After(lastOccurred) {
			lastOccurred = e.OccurredAt
		}
		if e.DealID != "" {
			dealIDs = append(dealIDs, e.DealID)
		}
		repIDs = append(repIDs, e.RepID)
	}
	slices.Sort(dealIDs)
	dealIDs = slices.Compact(dealIDs)
	slices.Sort(repIDs)
	repIDs = slices.Compact(repIDs)

	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, ingestLock)
	// A join on unnest, not "= ANY($1)": a cached generic plan for ANY checks the array element
	// by element on every row it scans.
	b.Queue(`SELECT e.event_id FROM unnest($1::text[]) AS u(event_id) JOIN events e USING (event_id)`, ids)
	b.Queue(activeContestsSQL)
	b.Queue(`SELECT d.deal_id, d.rep_id, d.team_id, d.won, d.amount, d.units, d.product, d.won_at, d.won_event_id, d.counted
		FROM unnest($1::text[]) AS u(deal_id) JOIN deals d USING (deal_id) ORDER BY d.deal_id FOR UPDATE OF d`, dealIDs)
	b.Queue(`SELECT r.rep_id, r.name, r.team_id FROM unnest($1::text[]) AS u(rep_id) JOIN reps r USING (rep_id)`, repIDs)
	b.Queue(batchSetsSQL, firstArrival.Add(-db.Grace), lastOccurred, dealIDs)
	b.Queue(`SELECT rules FROM achievement_rules`)
	br := tx.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}()

	in = ingest.Input{Deals: map[string]*ingest.Deal{}, Reps: map[string]bullpen.Rep{}, Grace: db.Grace}
	if _, err = br.Exec(); err != nil {
		return
	}
	rows, err := br.Query()
	if err != nil {
		return
	}
	seen, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	if rows, err = br.Query(); err != nil {
		return
	}
	if in.Contests, err = collectContests(rows); err != nil {
		return
	}
	if rows, err = br.Query(); err != nil {
		return
	}
	deals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ingest.Deal, error) {
		d := &ingest.Deal{}
		err := r.Scan(&d.DealID, &d.RepID, &d.TeamID, &d.Won, &d.Amount, &d.Units, &d.Product, &d.WonAt, &d.WonEventID, &d.Counted)
		return d, err
	})
	if err != nil {
		return
	}
	for _, d := range deals {
		in.Deals[d.DealID] = d
	}
	if rows, err = br.Query(); err != nil {
		return
	}
	reps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bullpen.Rep])
	if err != nil {
		return
	}
	for _, r := range reps {
		in.Reps[r.RepID] = r
	}
	if rows, err = br.Query(); err != nil {
		return
	}
	if in.Sets, err = collectSets(rows); err != nil {
		return
	}
	if in.Achievements, err = readRules(br.QueryRow()); err != nil {
		return
	}

	known := make(map[string]bool, len(seen)+len(events))
	for _, id := range seen {
		known[id] = true
	}
	for i, e := range events {
		if known[e.EventID] {
			dups = append(dups, e.EventID)
			continue
		}
		known[e.EventID] = true
		fresh = append(fresh, e)
		freshSources = append(freshSources, sources[i])
	}
	in.Events = fresh
	return in, fresh, freshSources, dups, nil
}
