package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// contestColumns is the select list scanContest reads.
const contestColumns = `id::text, name, kind, metric, weights, scope, starts_at, ends_at, timezone,
	period, target, max_winners, participants, prizes, min_score, ended_at, cancelled_at,
	finalized_at, created_by, created_at, updated_by, updated_at, race_ended_at`

func scanContest(row pgx.Row) (*contest.Contest, error) {
	var c contest.Contest
	var weights, participants, prizes []byte
	var target, minScore *int64
	err := row.Scan(&c.ID, &c.Name, &c.Kind, &c.Metric, &weights, &c.Scope, &c.StartsAt, &c.EndsAt,
		&c.Timezone, &c.Period, &target, &c.MaxWinners, &participants, &prizes, &minScore,
		&c.EndedAt, &c.CancelledAt, &c.FinalizedAt, &c.CreatedBy, &c.CreatedAt, &c.UpdatedBy, &c.UpdatedAt, &c.RaceEndedAt)
	if err != nil {
		return nil, err
	}
	if len(weights) > 0 {
		if err := json.Unmarshal(weights, &c.Weights); err != nil {
			return nil, fmt.Errorf("contest %s weights: %w", c.ID, err)
		}
	}
	if len(participants) > 0 {
		if err := json.Unmarshal(participants, &c.Participants); err != nil {
			return nil, fmt.Errorf("contest %s participants: %w", c.ID, err)
		}
	}
	if err := json.Unmarshal(prizes, &c.Prizes); err != nil {
		return nil, fmt.Errorf("contest %s prizes: %w", c.ID, err)
	}
	if c.Prizes == nil {
		c.Prizes = []contest.Prize{}
	}
	c.Target, c.MinScore = fixedPtr(target), fixedPtr(minScore)
	c.StartsAt, c.CreatedAt, c.UpdatedAt = c.StartsAt.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.EndsAt, c.EndedAt, c.RaceEndedAt = utcPtr(c.EndsAt), utcPtr(c.EndedAt), utcPtr(c.RaceEndedAt)
	c.CancelledAt, c.FinalizedAt = utcPtr(c.CancelledAt), utcPtr(c.FinalizedAt)
	return &c, nil
}

func fixedPtr(n *int64) *bullpen.Fixed {
	if n == nil {
		return nil
	}
	f := bullpen.Fixed(*n)
	return &f
}

func int64Ptr(f *bullpen.Fixed) *int64 {
	if f == nil {
		return nil
	}
	n := int64(*f)
	return &n
}

// jsonOrNull marshals v, mapping Go's nil (map, pointer) to SQL NULL.
func jsonOrNull(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil, err
	}
	return b, nil
}

func contestArgs(c *contest.Contest) ([]any, error) {
	weights, err := jsonOrNull(c.Weights)
	if err != nil {
		return nil, err
	}
	participants, err := jsonOrNull(c.Participants)
	if err != nil {
		return nil, err
	}
	prizes, err := json.Marshal(c.Prizes)
	if err != nil {
		return nil, err
	}
	return []any{c.Name, c.Kind, c.Metric, weights, c.Scope, c.StartsAt, c.EndsAt, c.Timezone,
		c.Period, int64Ptr(c.Target), c.MaxWinners, participants, prizes, int64Ptr(c.MinScore)}, nil
}

// InsertContest stores a new, normalized contest and fills in its id and timestamps.
func InsertContest(ctx context.Context, q Querier, c *contest.Contest) error {
	args, err := contestArgs(c)
	if err != nil {
		return err
	}
	args = append(args, c.CreatedBy)
	err = q.QueryRow(ctx, `
		INSERT INTO contests (name, kind, metric, weights, scope, starts_at, ends_at, timezone,
			period, target, max_winners, participants, prizes, min_score, created_by, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
		RETURNING id::text, created_at, updated_at`, args...).Scan(&c.ID, &c.CreatedAt, &c.UpdatedAt)
	c.UpdatedBy = c.CreatedBy
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if err != nil {
		return fmt.Errorf("insert contest: %w", err)
	}
	return nil
}

// UpdateContest writes every field of a contest, by its id, and records updatedBy.
func UpdateContest(ctx context.Context, q Querier, c *contest.Contest, updatedBy string) error {
	args, err := contestArgs(c)
	if err != nil {
		return err
	}
	args = append(args, c.EndedAt, c.CancelledAt, updatedBy, c.ID)
	err = q.QueryRow(ctx, `
		UPDATE contests SET name = $1, kind = $2, metric = $3, weights = $4, scope = $5,
			starts_at = $6, ends_at = $7, timezone = $8, period = $9, target = $10,
			max_winners = $11, participants = $12, prizes = $13, min_score = $14,
			ended_at = $15, cancelled_at = $16, updated_by = $17, updated_at = now()
		WHERE id = $18 RETURNING updated_at`, args...).Scan(&c.UpdatedAt)
	c.UpdatedBy = updatedBy
	c.UpdatedAt = c.UpdatedAt.UTC()
	if err != nil {
		return fmt.Errorf("update contest %s: %w", c.ID, err)
	}
	return nil
}

func contestNotFound(id string) error {
	return bullpen.Errorf(bullpen.ENotFound, "contest %s not found", id)
}

// Contest returns one contest. An id that is not a UUID names no contest.
func (db *DB) Contest(ctx context.Context, id string) (*contest.Contest, error) {
	return getContest(ctx, db.Pool, id, "")
}

// ContestForUpdate returns a contest and locks its row until tx ends.
func ContestForUpdate(ctx context.Context, tx pgx.Tx, id string) (*contest.Contest, error) {
	return getContest(ctx, tx, id, " FOR UPDATE")
}

func getContest(ctx context.Context, q Querier, id, lock string) (*contest.Contest, error) {
	if !isID(id) {
		return nil, contestNotFound(id)
	}
	c, err := scanContest(q.QueryRow(ctx, `SELECT `+contestColumns+` FROM contests WHERE id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, contestNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read contest %s: %w", id, err)
	}
	return c, nil
}

// statusClause mirrors contest.StatusAt in SQL, so a status filter pages correctly. clock.now
// is the time the status is judged at; LEAST ignores NULLs, so it is the effective end (ended
// early, or ends_at).
var statusClause = map[string]string{
	"":                      `true`,
	contest.StatusCancelled: `cancelled_at IS NOT NULL`,
	contest.StatusFinal:     `cancelled_at IS NULL AND finalized_at IS NOT NULL`,
	contest.StatusEnded:     `cancelled_at IS NULL AND finalized_at IS NULL AND LEAST(ended_at, ends_at) <= clock.now`,
	contest.StatusLive: `cancelled_at IS NULL AND finalized_at IS NULL AND starts_at <= clock.now
		AND coalesce(LEAST(ended_at, ends_at) > clock.now, true)`,
	contest.StatusScheduled: `cancelled_at IS NULL AND finalized_at IS NULL AND starts_at > clock.now
		AND coalesce(LEAST(ended_at, ends_at) > clock.now, true)`,
}

// openClause selects contests whose standings still move: live, or ended and in grace.
const openClause = `cancelled_at IS NULL AND finalized_at IS NULL AND starts_at <= clock.now`

const fromContests = `WITH clock AS (SELECT $1::timestamptz AS now)
	SELECT ` + contestColumns + ` FROM contests, clock `

// Contests lists contests, the latest to start first.
func (db *DB) Contests(ctx context.Context, f contest.Filter) ([]*contest.Contest, error) {
	where, ok := statusClause[f.Status]
	if !ok {
		return nil, bullpen.Invalid("status", "unknown status %q", f.Status)
	}
	return db.queryContests(ctx, "list contests", fromContests+`WHERE `+where+`
		ORDER BY starts_at DESC, id LIMIT $2 OFFSET $3`, f.Now, f.Limit, f.Offset)
}

// OpenContests returns every contest that is live, or ended and not yet final.
func (db *DB) OpenContests(ctx context.Context, now time.Time) ([]*contest.Contest, error) {
	return db.queryContests(ctx, "list open contests", fromContests+`WHERE `+openClause+` ORDER BY starts_at DESC, id`, now)
}

func (db *DB) queryContests(ctx context.Context, what, sql string, args ...any) ([]*contest.Contest, error) {
	rows, err := db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []*contest.Contest{}
	for rows.Next() {
		c, err := scanContest(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// CreateContest stores a new, normalized contest (c.CreatedBy says who) and counts what the
// ledger already holds for it, all in one transaction that ingest batches wait for.
func (db *DB) CreateContest(ctx context.Context, c *contest.Contest) error {
	return db.tx(ctx, pgx.TxOptions{}, "create contest", func(tx pgx.Tx) error {
		if err := LockIngest(ctx, tx); err != nil {
			return err
		}
		if err := InsertContest(ctx, tx, c); err != nil {
			return err
		}
		after, err := contestFields(c)
		if err != nil {
			return err
		}
		if err := Record(ctx, tx, audit.Change{By: c.CreatedBy, Action: "contest.create", Subject: c.ID, After: after}); err != nil {
			return err
		}
		return db.RecountContest(ctx, tx, c)
	})
}

// ChangeContest locks a contest, lets ch.Decide change it, and writes what it decided: the
// contest and its audit record, and its recount when the rules changed. It returns the contest
// as stored.
func (db *DB) ChangeContest(ctx context.Context, ch contest.Change) (*contest.Contest, contest.Effect, error) {
	var out *contest.Contest
	var effect contest.Effect
	err := db.tx(ctx, pgx.TxOptions{}, "change contest "+ch.ID, func(tx pgx.Tx) error {
		// The ingest lock comes first, as for every writer that takes both.
		if ch.Rules {
			if err := LockIngest(ctx, tx); err != nil {
				return err
			}
		}
		c, err := ContestForUpdate(ctx, tx, ch.ID)
		if err != nil {
			return err
		}
		out = c
		// Taken apart before Decide, which may change what c's fields point to.
		before, err := contestFields(c)
		if err != nil {
			return err
		}
		if effect, err = ch.Decide(c); err != nil || effect == contest.Unchanged {
			return err
		}
		if effect == contest.Recount && !ch.Rules {
			return errors.New("contest change recounts without the ingest lock")
		}
		rec, err := contestChange(ch, before, c)
		if err != nil {
			return err
		}
		if err := UpdateContest(ctx, tx, c, ch.By); err != nil {
			return err
		}
		if err := Record(ctx, tx, rec); err != nil {
			return err
		}
		if effect == contest.Recount {
			return db.RecountContest(ctx, tx, c)
		}
		return nil
	})
	return out, effect, err
}

// contestChange is the audit record of ch: the whole contest before a removal (a cancel),
// else the fields Decide changed, old and new.
func contestChange(ch contest.Change, before audit.Fields, c *contest.Contest) (audit.Change, error) {
	rec := audit.Change{By: ch.By, Action: ch.Action, Subject: c.ID, Detail: ch.Detail}
	if ch.Removes {
		rec.Before = before
		return rec, nil
	}
	after, err := contestFields(c)
	if err != nil {
		return rec, err
	}
	rec.Before, rec.After, err = audit.Changed(before, after)
	return rec, err
}

// contestFields are a contest's own fields as the audit trail keeps them: not its status,
// which is read from the clock, nor who updated it last, which the record itself says.
func contestFields(c *contest.Contest) (audit.Fields, error) {
	f, err := audit.Whole(c)
	return f.Without("status", "updated_by", "updated_at"), err
}
