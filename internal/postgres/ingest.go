package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/ingest"
)

// ApplyBatch records and applies events in one transaction: each event_id at most once ever.
// sources[i] says where events[i] came from (topic/partition/offset). A redelivered event is
// not applied again, but the rows it touched are returned so the projection converges.
func (db *DB) ApplyBatch(ctx context.Context, events []event.Event, sources []string) (ingest.Result, error) {
	var res ingest.Result
	var learnt *learning // what the achievements knew and chose, learnt once committed
	err := db.inTx(ctx, "apply batch", func(tx pgx.Tx) error {
		var err error
		db.known.release(learnt) // an attempt that failed
		learnt = nil
		res, err = db.applyBatch(ctx, tx, events, sources, &learnt)
		return err
	})
	if err != nil {
		db.known.release(learnt)
		return res, err
	}
	if db.beforeLearn != nil {
		db.beforeLearn()
	}
	db.known.learn(learnt)
	return res, nil
}

// inTx runs fn in a transaction, again from the start on a serialization failure, a deadlock
// or a unique violation raced by another consumer (a rebalance may hand the same events to two
// consumers for a moment).
func (db *DB) inTx(ctx context.Context, what string, fn func(pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.tx(ctx, pgx.TxOptions{}, what, fn)
		if err == nil || attempt == 5 || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
}

// tx runs fn in one transaction. What fn returns comes back as it is: its failures say where
// they happened already, and the domain's errors carry the code and message the API shows.
// Only what pgx reports of the transaction itself (begin, commit) is wrapped, with what.
func (db *DB) tx(ctx context.Context, opts pgx.TxOptions, what string, fn func(pgx.Tx) error) error {
	var failed bool
	err := pgx.BeginTxFunc(ctx, db.Pool, opts, func(tx pgx.Tx) error {
		err := fn(tx)
		failed = err != nil
		return err
	})
	if err != nil && !failed {
		return fmt.Errorf("%s: %w", what, err)
	}
	return err
}

func retryable(err error) bool {
	code := sqlState(err)
	return strings.HasPrefix(code, "40") || code == "23505"
}

func (db *DB) applyBatch(ctx context.Context, tx pgx.Tx, events []event.Event, sources []string, learn **learning) (ingest.Result, error) {
	var res ingest.Result
	in, fresh, freshSources, dups, err := db.readBatch(ctx, tx, events, sources)
	if err != nil {
		return res, fmt.Errorf("read batch: %w", err)
	}
	res.Applied, res.Duplicates = len(fresh), len(dups)
	if len(fresh) > 0 {
		// Apply adds the new deals to in.Deals and changes the stored ones; achievements judge
		// the days those were won on before too.
		stored := make(map[string]bool, len(in.Deals))
		prior := map[string]priorWin{}
		for id, d := range in.Deals {
			stored[id] = true
			if d.Won {
				prior[id] = priorWin{at: d.WonAt, rep: d.RepID}
			}
		}
		out := ingest.Apply(in)
		if err := insertEvents(ctx, tx, out.Applied, freshSources); err != nil {
			return res, err
		}
		if err := writeDeals(ctx, tx, out.Deals, stored); err != nil {
			return res, err
		}
		won, err := applyIncentives(ctx, tx, out.Applied, out.Deals, db.Grace)
		if err != nil {
			return res, err
		}
		if paid := won.Paid(); len(paid) > 0 {
			if res.Balances, err = SumBalances(ctx, tx, paid); err != nil {
				return res, err
			}
			if err := insertNotices(ctx, tx, won.Notices(res.Balances, in.Reps)); err != nil {
				return res, err
			}
		}
		if err := insertNotices(ctx, tx, out.Notices); err != nil {
			return res, err
		}
		if err := insertContributions(ctx, tx, out.Contributions); err != nil {
			return res, err
		}
		if res.Rows, err = moveStandings(ctx, tx, out.Moves); err != nil {
			return res, err
		}
		if err := finishRaces(ctx, tx, in.Contests, res.Rows); err != nil {
			return res, err
		}
		if res.Attainment, err = moveAttainment(ctx, tx, out.Attainment); err != nil {
			return res, err
		}
		if err := db.judgeAchievements(ctx, tx, in, prior, out, &res, learn); err != nil {
			return res, err
		}
		if res.Reps, err = upsertReps(ctx, tx, out.Reps); err != nil {
			return res, err
		}
	}
	if len(dups) > 0 {
		rows, reps, err := touchedBy(ctx, tx, dups)
		if err != nil {
			return res, err
		}
		res.Rows = append(res.Rows, rows...)
		res.Reps = append(res.Reps, reps...)
		// Their reps' balances too: a crash after the commit left them unwritten, and a rep
		// with no balance in a complete projection is read as having no points.
		if err := addBalances(ctx, tx, &res, reps); err != nil {
			return res, err
		}
		vals, err := attainmentOfReps(ctx, tx, dups)
		if err != nil {
			return res, err
		}
		res.Attainment = append(res.Attainment, vals...)
	}
	return res, nil
}

func insertEvents(ctx context.Context, tx pgx.Tx, applied []ingest.Applied, sources []string) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"events"},
		[]string{"event_id", "type", "rep_id", "team_id", "deal_id", "occurred_at", "amount", "units", "product", "activity", "changed", "source", "arrived_at", "sent_by"},
		pgx.CopyFromSlice(len(applied), func(i int) ([]any, error) {
			a := applied[i]
			e := a.Event
			var amount, units any
			if e.HasAmount {
				amount = int64(e.Amount)
			}
			if e.Type.IsDeal() {
				units = e.Units
			}
			return []any{e.EventID, string(e.Type), e.RepID, a.TeamID, nullable(e.DealID), e.OccurredAt, amount, units,
				nullable(e.Product), nullable(e.Activity), a.Changed, sources[i], e.ArrivedAt, nullable(e.SentBy)}, nil
		}))
	if err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writeDeals stores the deals that changed: the new ones by COPY, the stored ones (locked by
// loadInput) by one UPDATE. Most deals in a batch are new, and COPY costs a fraction of an
// INSERT ... ON CONFLICT. Should another consumer have inserted the same new deal meanwhile,
// the COPY fails on its key and the whole transaction runs again, finding it stored.
func writeDeals(ctx context.Context, tx pgx.Tx, deals map[string]*ingest.Deal, stored map[string]bool) error {
	var fresh, known []*ingest.Deal
	for _, d := range deals {
		if stored[d.DealID] {
			known = append(known, d)
		} else {
			fresh = append(fresh, d)
		}
	}
	if len(fresh) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"deals"},
			[]string{"deal_id", "rep_id", "team_id", "won", "amount", "units", "product", "won_at", "won_event_id", "counted"},
			pgx.CopyFromSlice(len(fresh), func(i int) ([]any, error) {
				d := fresh[i]
				return []any{d.DealID, d.RepID, d.TeamID, d.Won, int64(d.Amount), d.Units, d.Product, d.WonAt, d.WonEventID,
					countedJSON(d.Counted)}, nil
			}))
		if err != nil {
			return fmt.Errorf("insert deals: %w", err)
		}
	}
	return updateDeals(ctx, tx, known)
}

func updateDeals(ctx context.Context, tx pgx.Tx, deals []*ingest.Deal) error {
	if len(deals) == 0 {
		return nil
	}
	slices.SortFunc(deals, func(a, b *ingest.Deal) int { return strings.Compare(a.DealID, b.DealID) })
	n := len(deals)
	var (
		ids, reps, teams, products, wonIDs = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		won                                = make([]bool, n)
		amounts, units                     = make([]int64, n), make([]int64, n)
		wonAt                              = make([]time.Time, n)
		counted                            = make([]string, n)
	)
	for i, d := range deals {
		ids[i], reps[i], teams[i], products[i], wonIDs[i] = d.DealID, d.RepID, d.TeamID, d.Product, d.WonEventID
		won[i], amounts[i], units[i], wonAt[i] = d.Won, int64(d.Amount), d.Units, d.WonAt
		counted[i] = countedJSON(d.Counted)
	}
	_, err := tx.Exec(ctx, `
		UPDATE deals AS d SET rep_id = u.rep_id, team_id = u.team_id, won = u.won, amount = u.amount, units = u.units,
			product = u.product, won_at = u.won_at, won_event_id = u.won_event_id, counted = u.counted
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::bigint[], $6::bigint[], $7::text[],
		            $8::timestamptz[], $9::text[], $10::jsonb[])
		     AS u(deal_id, rep_id, team_id, won, amount, units, product, won_at, won_event_id, counted)
		WHERE d.deal_id = u.deal_id`,
		ids, reps, teams, won, amounts, units, products, wonAt, wonIDs, counted)
	if err != nil {
		return fmt.Errorf("update deals: %w", err)
	}
	return nil
}

func insertContributions(ctx context.Context, tx pgx.Tx, cs []ingest.Contribution) error {
	if len(cs) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"contributions"},
		[]string{"event_id", "contest_id", "period_key", "entrant", "rep_id", "delta"},
		pgx.CopyFromSlice(len(cs), func(i int) ([]any, error) {
			c := cs[i]
			return []any{c.EventID, contestUUID(c.ContestID), c.PeriodKey, c.Entrant, c.RepID, int64(c.Delta)}, nil
		}))
	if err != nil {
		return fmt.Errorf("insert contributions: %w", err)
	}
	return nil
}

// moveStandings adds each row's delta and returns the rows' absolute values. Rows are written
// in key order, so concurrent batches lock them in the same order.
func moveStandings(ctx context.Context, tx pgx.Tx, moves map[ingest.BoardKey]ingest.Move) ([]ingest.Row, error) {
	if len(moves) == 0 {
		return nil, nil
	}
	keys := make([]ingest.BoardKey, 0, len(moves))
	for k := range moves {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b ingest.BoardKey) int {
		return strings.Compare(a.ContestID+"\x00"+a.PeriodKey+"\x00"+a.Entrant, b.ContestID+"\x00"+b.PeriodKey+"\x00"+b.Entrant)
	})
	n := len(keys)
	contests, periods, entrants := make([]string, n), make([]string, n), make([]string, n)
	deltas, reached := make([]int64, n), make([]time.Time, n)
	for i, k := range keys {
		m := moves[k]
		contests[i], periods[i], entrants[i], deltas[i], reached[i] = k.ContestID, k.PeriodKey, k.Entrant, int64(m.Delta), m.ReachedAt
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO standings AS s (contest_id, period_key, entrant, score, reached_at)
		SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[])
		ON CONFLICT (contest_id, period_key, entrant) DO UPDATE SET score = s.score + excluded.score,
			reached_at = greatest(s.reached_at, excluded.reached_at), version = s.version + 1
		RETURNING contest_id::text, period_key, entrant, score, reached_at, version, finished_at`,
		contests, periods, entrants, deltas, reached)
	if err != nil {
		return nil, fmt.Errorf("move standings: %w", err)
	}
	out, err := collectStandings(rows)
	if err != nil {
		return nil, fmt.Errorf("move standings: %w", err)
	}
	return out, nil
}

func collectStandings(rows pgx.Rows) ([]ingest.Row, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ingest.Row, error) {
		var s ingest.Row
		err := r.Scan(&s.ContestID, &s.PeriodKey, &s.Entrant, &s.Score, &s.ReachedAt, &s.Version, &s.FinishedAt)
		return s, err
	})
}

// upsertReps writes the directory entries that changed.
func upsertReps(ctx context.Context, tx pgx.Tx, reps map[string]bullpen.Rep) ([]bullpen.Rep, error) {
	if len(reps) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(reps))
	for id := range reps {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	names, teams := make([]string, len(ids)), make([]string, len(ids))
	for i, id := range ids {
		names[i], teams[i] = reps[id].Name, reps[id].TeamID
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO reps AS r (rep_id, name, team_id)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
		ON CONFLICT (rep_id) DO UPDATE SET name = excluded.name, team_id = excluded.team_id, updated_at = now()
		RETURNING rep_id, name, team_id`, ids, names, teams)
	if err != nil {
		return nil, fmt.Errorf("upsert reps: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bullpen.Rep])
	if err != nil {
		return nil, fmt.Errorf("upsert reps: %w", err)
	}
	return out, nil
}

// touchedBy returns the current standings rows and reps that already-recorded events touched,
// so that a redelivery after a crash between commit and projection repairs the projection.
func touchedBy(ctx context.Context, tx pgx.Tx, eventIDs []string) ([]ingest.Row, []bullpen.Rep, error) {
	rows, err := tx.Query(ctx, `
		SELECT s.contest_id::text, s.period_key, s.entrant, s.score, s.reached_at, s.version, s.finished_at
		FROM standings s
		JOIN (SELECT DISTINCT contest_id, period_key, entrant FROM contributions WHERE event_id = ANY($1)) c
		  USING (contest_id, period_key, entrant)`, eventIDs)
	if err != nil {
		return nil, nil, fmt.Errorf("read rows of redelivered events: %w", err)
	}
	st, err := collectStandings(rows)
	if err != nil {
		return nil, nil, fmt.Errorf("read rows of redelivered events: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT r.rep_id, r.name, r.team_id FROM reps r
		WHERE r.rep_id IN (SELECT rep_id FROM events WHERE event_id = ANY($1))`, eventIDs)
	if err != nil {
		return nil, nil, fmt.Errorf("read reps of redelivered events: %w", err)
	}
	reps, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bullpen.Rep])
	if err != nil {
		return nil, nil, fmt.Errorf("read reps of redelivered events: %w", err)
	}
	return st, reps, nil
}

// addBalances adds to res the ledger's balances of reps that res does not hold yet.
func addBalances(ctx context.Context, tx pgx.Tx, res *ingest.Result, reps []bullpen.Rep) error {
	var ids []string
	for _, r := range reps {
		if _, ok := res.Balances[r.RepID]; !ok {
			ids = append(ids, r.RepID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	got, err := SumBalances(ctx, tx, ids)
	if err != nil {
		return fmt.Errorf("balances of redelivered events: %w", err)
	}
	if res.Balances == nil {
		res.Balances = make(map[string]bullpen.Balance, len(got))
	}
	maps.Copy(res.Balances, got)
	return nil
}

func countedJSON(cs []ingest.Counted) string {
	if len(cs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(cs)
	return string(b)
}

// contestUUID encodes a contest id for COPY in binary form (a Go string would make pgx fall
// back to text encoding row by row).
func contestUUID(id string) pgtype.UUID {
	u, err := uuid.Parse(id)
	return pgtype.UUID{Bytes: u, Valid: err == nil}
}
