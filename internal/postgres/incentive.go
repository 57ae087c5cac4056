package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/incentive"
	"bullpen/internal/message"
)

// incentiveColumns is the select list scanIncentive reads.
const incentiveColumns = `id::text, title, event_type, min_amount, product, reward_points, max_winners,
	starts_at, ends_at, audience, ended_at, created_by, created_at`

// scanIncentive reads one incentive row, without its winners.
func scanIncentive(row pgx.Row) (*incentive.Incentive, error) {
	var i incentive.Incentive
	var minAmount *int64
	err := row.Scan(&i.ID, &i.Title, &i.Condition.Type, &minAmount, &i.Condition.Product, &i.RewardPoints,
		&i.MaxWinners, &i.StartsAt, &i.EndsAt, &i.Audience, &i.EndedAt, &i.CreatedBy, &i.CreatedAt)
	if err != nil {
		return nil, err
	}
	if a := i.Audience; a != nil {
		if a.Teams == nil {
			a.Teams = []string{}
		}
		if a.Reps == nil {
			a.Reps = []string{}
		}
	}
	i.Condition.MinAmount = fixedPtr(minAmount)
	i.StartsAt, i.EndsAt, i.CreatedAt = i.StartsAt.UTC(), i.EndsAt.UTC(), i.CreatedAt.UTC()
	i.EndedAt = utcPtr(i.EndedAt)
	i.Winners = []incentive.Winner{}
	return &i, nil
}

func incentiveNotFound(id string) error {
	return bullpen.Errorf(bullpen.ENotFound, "incentive %s not found", id)
}

// CreateIncentive stores a new, normalized incentive (i.CreatedBy says who) and records its
// launch. It fills in the id and CreatedAt, the launch: only events applied after it qualify.
// Ingest batches are held off while it runs, and CreatedAt is the database's clock once they
// are, so a batch that could not see the incentive was applied before its launch.
func (db *DB) CreateIncentive(ctx context.Context, i *incentive.Incentive) error {
	audience, err := jsonOrNull(i.Audience)
	if err != nil {
		return err
	}
	return db.tx(ctx, pgx.TxOptions{}, "create incentive", func(tx pgx.Tx) error {
		if err := LockIngest(ctx, tx); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO incentives (title, event_type, min_amount, product, reward_points, max_winners,
				starts_at, ends_at, audience, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, clock_timestamp())
			RETURNING id::text, created_at`,
			i.Title, i.Condition.Type, int64Ptr(i.Condition.MinAmount), i.Condition.Product, i.RewardPoints,
			i.MaxWinners, i.StartsAt, i.EndsAt, audience, i.CreatedBy).Scan(&i.ID, &i.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert incentive: %w", err)
		}
		i.CreatedAt = i.CreatedAt.UTC()
		after, err := incentiveFields(i)
		if err != nil {
			return err
		}
		if err := Record(ctx, tx, audit.Change{By: i.CreatedBy, Action: "incentive.launch", Subject: i.ID, After: after}); err != nil {
			return err
		}
		launched := *i
		launched.Status = launched.StatusAt(i.CreatedAt)
		if launched.Winners == nil {
			launched.Winners = []incentive.Winner{}
		}
		return insertNotices(ctx, tx, []bullpen.Notice{{Channel: bullpen.ChannelFloor, Type: message.TypeIncentiveLaunched, Data: &launched}})
	})
}

// Incentive returns one incentive with its winners. An id that is not a UUID names none.
func (db *DB) Incentive(ctx context.Context, id string) (*incentive.Incentive, error) {
	i, err := getIncentive(ctx, db.Pool, id, "")
	if err != nil {
		return nil, err
	}
	return i, loadWinners(ctx, db.Pool, i)
}

func getIncentive(ctx context.Context, q Querier, id, lock string) (*incentive.Incentive, error) {
	if !isID(id) {
		return nil, incentiveNotFound(id)
	}
	i, err := scanIncentive(q.QueryRow(ctx, `SELECT `+incentiveColumns+` FROM incentives WHERE id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, incentiveNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read incentive %s: %w", id, err)
	}
	return i, nil
}

// loadWinners fills in the winners of incs: the entries that won, in winning order (won_at,
// then seq), clawed back or not.
func loadWinners(ctx context.Context, q Querier, incs ...*incentive.Incentive) error {
	byID := make(map[string]*incentive.Incentive, len(incs))
	ids := make([]string, len(incs))
	for n, i := range incs {
		byID[i.ID], ids[n] = i, i.ID
	}
	rows, err := q.Query(ctx, `
		SELECT incentive_id::text, rep_id, deal_id, event_id, won_at, clawed_back_at
		FROM incentive_entries WHERE incentive_id = ANY($1::uuid[]) AND won_at IS NOT NULL
		ORDER BY incentive_id, won_at, seq`, ids)
	if err != nil {
		return fmt.Errorf("read incentive winners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var w incentive.Winner
		if err := rows.Scan(&id, &w.RepID, &w.DealID, &w.EventID, &w.WonAt, &w.ClawedBackAt); err != nil {
			return fmt.Errorf("read incentive winners: %w", err)
		}
		w.WonAt, w.ClawedBackAt = w.WonAt.UTC(), utcPtr(w.ClawedBackAt)
		byID[id].Winners = append(byID[id].Winners, w)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read incentive winners: %w", err)
	}
	return nil
}

// incentiveStatusClause mirrors Incentive.StatusAt in SQL, so a status filter pages correctly.
// clock.now is the time the status is judged at; LEAST ignores NULLs, so it is the effective
// end (ended early, or ends_at).
var incentiveStatusClause = map[string]string{
	"":                        `true`,
	incentive.StatusClosed:    `LEAST(ended_at, ends_at) <= clock.now`,
	incentive.StatusOpen:      `starts_at <= clock.now AND LEAST(ended_at, ends_at) > clock.now`,
	incentive.StatusScheduled: `starts_at > clock.now AND LEAST(ended_at, ends_at) > clock.now`,
}

// Incentives lists the incentives with the given status at now ("" for all), with their
// winners, the latest to start first.
func (db *DB) Incentives(ctx context.Context, status string, limit, offset int, now time.Time) ([]*incentive.Incentive, error) {
	where, ok := incentiveStatusClause[status]
	if !ok {
		return nil, bullpen.Invalid("status", "status must be scheduled, open or closed")
	}
	rows, err := db.Pool.Query(ctx, `WITH clock AS (SELECT $1::timestamptz AS now)
		SELECT `+incentiveColumns+` FROM incentives, clock WHERE `+where+`
		ORDER BY starts_at DESC, created_at DESC, id LIMIT $2 OFFSET $3`, now, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list incentives: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*incentive.Incentive, error) { return scanIncentive(row) })
	if err != nil {
		return out, fmt.Errorf("list incentives: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	return out, loadWinners(ctx, db.Pool, out...)
}

// EndIncentive locks an incentive, lets end close it (setting EndedAt, or refusing), and stores
// the close with its audit record (by: who did it); it returns the incentive as stored. Ingest
// batches are held off meanwhile, so once it returns no batch still applying can make a winner.
func (db *DB) EndIncentive(ctx context.Context, id, by string, end func(*incentive.Incentive) error) (*incentive.Incentive, error) {
	var out *incentive.Incentive
	err := db.tx(ctx, pgx.TxOptions{}, "end incentive "+id, func(tx pgx.Tx) error {
		// The ingest lock comes first, as for every writer that takes both.
		if err := LockIngest(ctx, tx); err != nil {
			return err
		}
		i, err := getIncentive(ctx, tx, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		before, err := incentiveFields(i)
		if err != nil {
			return err
		}
		if err := end(i); err != nil {
			return err
		}
		if i.EndedAt == nil {
			return errors.New("an incentive's end left it without ended_at")
		}
		var ended time.Time
		if err := tx.QueryRow(ctx, `UPDATE incentives SET ended_at = $2 WHERE id = $1 RETURNING ended_at`,
			id, *i.EndedAt).Scan(&ended); err != nil {
			return fmt.Errorf("write the end of incentive %s: %w", id, err)
		}
		ended = ended.UTC()
		i.EndedAt = &ended
		after, err := incentiveFields(i)
		if err != nil {
			return err
		}
		rec := audit.Change{By: by, Action: "incentive.end", Subject: id}
		if rec.Before, rec.After, err = audit.Changed(before, after); err != nil {
			return err
		}
		if err := Record(ctx, tx, rec); err != nil {
			return err
		}
		out = i
		if err := loadWinners(ctx, tx, i); err != nil {
			return err
		}
		// Screens showing its banner and countdown take it down now, not when they next poll.
		i.Status = i.StatusAt(ended)
		return insertNotices(ctx, tx, []bullpen.Notice{{Channel: bullpen.ChannelFloor, Type: message.TypeIncentiveEnded, Data: i}})
	})
	return out, err
}

// incentiveFields are an incentive's own fields as the audit trail keeps them: not its status,
// read from the clock, nor its winners, which ingest writes and the ledger records.
func incentiveFields(i *incentive.Incentive) (audit.Fields, error) {
	f, err := audit.Whole(i)
	return f.Without("status", "winners"), err
}
