package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/message"
)

// balanceLock is the first key of the advisory locks that order ledger writes rep by rep (the
// second is a hash of the rep id); it lives apart from ingestLock's one-key space.
const balanceLock int32 = 7_317_002

// balancePage is how many reps' balances a rebuild writes at a time.
const balancePage = 5000

// LockBalances serializes, until tx ends, the ledger writes of every transaction that locks
// one of repIDs. Take it before inserting ledger rows and reading the balances back: without
// it, two transactions paying the same rep each sum without the other's uncommitted row, and
// both report a balance that was never true. Locks are taken in one global order, so two
// writers never deadlock on them.
func LockBalances(ctx context.Context, tx pgx.Tx, repIDs []string) error {
	b := &pgx.Batch{}
	queueBalanceLocks(b, repIDs)
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("lock balances: %w", err)
	}
	return nil
}

// queueBalanceLocks queues LockBalances' statement (none for no rep).
func queueBalanceLocks(b *pgx.Batch, repIDs []string) {
	keys := make([]int32, 0, len(repIDs))
	for _, id := range repIDs {
		h := fnv.New32a()
		_, _ = h.Write([]byte(id))
		keys = append(keys, int32(h.Sum32()))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	switch len(keys) {
	case 0:
	case 1:
		b.Queue(`SELECT pg_advisory_xact_lock($1, $2)`, balanceLock, keys[0])
	default:
		// The sort node hands the keys over in order, so the locks are taken in that order.
		b.Queue(`SELECT pg_advisory_xact_lock($1, k) FROM (SELECT k FROM unnest($2::int4[]) k ORDER BY k) s`, balanceLock, keys)
	}
}

// SumBalances returns the balance of each of repIDs as q sees the ledger: the sum of its
// entries at the version of its largest entry id (0 and 0 for a rep without entries). Inside a
// transaction that holds LockBalances for them, it is their balance once that transaction
// commits. A rep named twice is summed once.
func SumBalances(ctx context.Context, q Querier, repIDs []string) (map[string]bullpen.Balance, error) {
	out := make(map[string]bullpen.Balance, len(repIDs))
	if len(repIDs) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT r.id, coalesce(sum(l.points), 0)::bigint, coalesce(max(l.id), 0)::bigint
		FROM (SELECT DISTINCT id FROM unnest($1::text[]) AS u(id)) AS r(id)
		LEFT JOIN ledger l ON l.rep_id = r.id GROUP BY r.id`, repIDs)
	if err != nil {
		return nil, fmt.Errorf("sum balances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var b bullpen.Balance
		if err := rows.Scan(&id, &b.Points, &b.Version); err != nil {
			return nil, fmt.Errorf("sum balances: %w", err)
		}
		out[id] = b
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("sum balances: %w", err)
	}
	return out, nil
}

// Balances returns the balance of each of repIDs: the sum of its ledger entries and their
// largest id, 0 and 0 for a rep without any.
func (db *DB) Balances(ctx context.Context, repIDs []string) (map[string]bullpen.Balance, error) {
	return SumBalances(ctx, db.Pool, repIDs)
}

// AllBalances calls fn with the balance of every rep that has ledger entries, a page of reps
// at a time, to rebuild the projection.
func (db *DB) AllBalances(ctx context.Context, fn func(map[string]bullpen.Balance) error) error {
	after := ""
	for {
		rows, err := db.Pool.Query(ctx, `SELECT rep_id, sum(points)::bigint, max(id) FROM ledger
			WHERE rep_id > $1 GROUP BY rep_id ORDER BY rep_id LIMIT $2`, after, balancePage)
		if err != nil {
			return fmt.Errorf("read balances: %w", err)
		}
		page := make(map[string]bullpen.Balance, balancePage)
		for rows.Next() {
			var id string
			var b bullpen.Balance
			if err := rows.Scan(&id, &b.Points, &b.Version); err != nil {
				rows.Close()
				return fmt.Errorf("read balances: %w", err)
			}
			page[id] = b
			after = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read balances: %w", err)
		}
		if len(page) > 0 {
			if err := fn(page); err != nil {
				return err
			}
		}
		if len(page) < balancePage {
			return nil
		}
	}
}

// AddAdjustment records a manual ledger entry for a rep of the directory, made by the token
// by, and returns it with the rep's balance after it (whose version is the entry's id). The
// entry, the balance and the audit trail's record of the change are one transaction.
func (db *DB) AddAdjustment(ctx context.Context, repID string, points int64, note, by string) (bullpen.LedgerEntry, bullpen.Balance, error) {
	e := bullpen.LedgerEntry{RepID: repID, Points: points, Reason: bullpen.ReasonAdjustment, By: by, Note: note}
	var balance bullpen.Balance
	err := db.inTx(ctx, "adjust the points of rep "+repID, func(tx pgx.Tx) error {
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reps WHERE rep_id = $1)`, repID).Scan(&known); err != nil {
			return fmt.Errorf("read rep %s: %w", repID, err)
		}
		if !known {
			return bullpen.Errorf(bullpen.ENotFound, "rep %s not found", repID)
		}
		if err := LockBalances(ctx, tx, []string{repID}); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO ledger (rep_id, points, reason, by, note)
			VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
			repID, points, e.Reason, by, note).Scan(&e.ID, &e.CreatedAt); err != nil {
			return fmt.Errorf("insert adjustment: %w", err)
		}
		e.CreatedAt = e.CreatedAt.UTC()
		b, err := SumBalances(ctx, tx, []string{repID})
		if err != nil {
			return err
		}
		balance = b[repID]
		if err := markUnprojected(ctx, tx, []string{repID}); err != nil {
			return err
		}
		if err := insertNotices(ctx, tx, []bullpen.Notice{adjustmentNotice(e, balance)}); err != nil {
			return err
		}
		after, err := audit.Whole(e)
		if err != nil {
			return err
		}
		return Record(ctx, tx, audit.Change{By: by, Action: "ledger.adjust", Subject: repID, After: after})
	})
	if err != nil {
		return bullpen.LedgerEntry{}, bullpen.Balance{}, err
	}
	return e, balance, nil
}

// adjustmentNotice tells the rep's feed about a manual entry: `reward` when it adds points,
// `clawback` when it takes some away, with the reason `adjustment` (docs/api.md §4).
func adjustmentNotice(e bullpen.LedgerEntry, balance bullpen.Balance) bullpen.Notice {
	return message.PointsFor(e.RepID, message.Points{Points: e.Points, Balance: balance.Points, Reason: e.Reason, Note: e.Note})
}

// Ledger returns a page of a rep's ledger entries, newest first, with its balance and its
// number of entries, all from one snapshot. A rep that is neither in the directory nor in the
// ledger is not found.
func (db *DB) Ledger(ctx context.Context, repID string, limit, offset int) ([]bullpen.LedgerEntry, int64, int, error) {
	var (
		entries []bullpen.LedgerEntry
		balance int64
		total   int
	)
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := db.tx(ctx, opts, "read the ledger of rep "+repID, func(tx pgx.Tx) error {
		var known bool
		err := tx.QueryRow(ctx, `SELECT coalesce(sum(points), 0)::bigint, count(*),
			EXISTS (SELECT 1 FROM reps WHERE rep_id = $1) FROM ledger WHERE rep_id = $1`, repID).
			Scan(&balance, &total, &known)
		if err != nil {
			return fmt.Errorf("read the balance of rep %s: %w", repID, err)
		}
		if !known && total == 0 {
			return bullpen.Errorf(bullpen.ENotFound, "rep %s not found", repID)
		}
		rows, err := tx.Query(ctx, `SELECT id, rep_id, points, reason, event_id, deal_id, incentive_id::text,
			contest_id::text, period_key, by, note, created_at,
			(SELECT e.sent_by FROM events e WHERE e.event_id = l.event_id), coalesce(achievement_id, 0)
			FROM ledger l WHERE rep_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, repID, limit, offset)
		if err != nil {
			return fmt.Errorf("read the ledger of rep %s: %w", repID, err)
		}
		if entries, err = collectLedger(rows); err != nil {
			return fmt.Errorf("read the ledger of rep %s: %w", repID, err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, 0, err
	}
	return entries, balance, total, nil
}

func collectLedger(rows pgx.Rows) ([]bullpen.LedgerEntry, error) {
	defer rows.Close()
	out := []bullpen.LedgerEntry{}
	for rows.Next() {
		var e bullpen.LedgerEntry
		var eventID, dealID, incentiveID, contestID, periodKey, sentBy *string
		var at time.Time
		if err := rows.Scan(&e.ID, &e.RepID, &e.Points, &e.Reason, &eventID, &dealID, &incentiveID,
			&contestID, &periodKey, &e.By, &e.Note, &at, &sentBy, &e.AchievementID); err != nil {
			return nil, err
		}
		e.EventID, e.DealID, e.IncentiveID, e.EventSentBy = deref(eventID), deref(dealID), deref(incentiveID), deref(sentBy)
		e.ContestID, e.PeriodKey, e.CreatedAt = deref(contestID), deref(periodKey), at.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
