package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/message"
)

// PendingFinals lists the contests a finalizer has to watch.
func (db *DB) PendingFinals(ctx context.Context) ([]contest.PendingFinal, error) {
	cs, err := activeContests(ctx, db.Pool)
	if err != nil {
		return nil, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT s.contest_id::text, s.period_key FROM standings s
		JOIN contests c ON c.id = s.contest_id
		WHERE c.cancelled_at IS NULL AND c.finalized_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM finals f WHERE f.contest_id = s.contest_id AND f.period_key = s.period_key)`)
	if err != nil {
		return nil, fmt.Errorf("list boards not final: %w", err)
	}
	boards := map[string][]string{}
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list boards not final: %w", err)
		}
		boards[id] = append(boards[id], key)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list boards not final: %w", err)
	}
	out := make([]contest.PendingFinal, 0, len(cs))
	for _, c := range cs {
		keys := boards[c.ID]
		slices.Sort(keys)
		out = append(out, contest.PendingFinal{Contest: c, Boards: keys})
	}
	return out, nil
}

// Finalize freezes the given boards of a contest and pays their prizes, and with closing, marks
// the whole contest final. It is safe to race: the contest row is locked, a board is final once
// (finals' key) and a prize is paid once (the ledger's unique index). It returns the new
// balances of the reps it paid, read after the commit, each with its version.
func (db *DB) Finalize(ctx context.Context, c *contest.Contest, boards []string, closing bool) (map[string]bullpen.Balance, error) {
	var paid []string
	var balances map[string]bullpen.Balance
	err := db.inTx(ctx, "finalize contest "+c.ID, func(tx pgx.Tx) error {
		paid = paid[:0]
		var id string
		err := tx.QueryRow(ctx, `SELECT id::text FROM contests WHERE id = $1 AND cancelled_at IS NULL AND finalized_at IS NULL FOR UPDATE`, c.ID).Scan(&id)
		if err == pgx.ErrNoRows {
			return nil // final or cancelled already
		}
		if err != nil {
			return fmt.Errorf("lock contest %s: %w", c.ID, err)
		}
		if closing {
			// Every board not final yet, as this transaction sees them: a board whose first
			// row committed after the caller listed the boards (but before it checked that
			// everything had been applied) is final now too.
			if boards, err = openBoards(ctx, tx, c.ID); err != nil {
				return err
			}
		}
		var prizes []prizeNotice
		for _, key := range boards {
			paidHere, err := finalizeBoard(ctx, tx, c, key)
			if err != nil {
				return err
			}
			prizes = append(prizes, paidHere...)
		}
		for _, p := range prizes {
			paid = append(paid, p.rep)
		}
		if balances, err = SumBalances(ctx, tx, paid); err != nil {
			return err
		}
		if err := markUnprojected(ctx, tx, paid); err != nil {
			return err
		}
		var notices []bullpen.Notice
		for _, p := range prizes {
			notices = append(notices, message.PointsFor(p.rep, message.Points{Points: p.points, Balance: balances[p.rep].Points,
				Reason: bullpen.ReasonPrize, Note: p.note, ContestID: c.ID, PeriodKey: p.key}))
		}
		if closing {
			if _, err = tx.Exec(ctx, `UPDATE contests SET finalized_at = now(), updated_at = now() WHERE id = $1`, c.ID); err != nil {
				return fmt.Errorf("mark contest %s final: %w", c.ID, err)
			}
			final := *c
			final.Status = contest.StatusFinal
			notices = append(notices, message.Floor(message.TypeContestFinal, &final))
		}
		return insertNotices(ctx, tx, notices)
	})
	if err != nil || len(paid) == 0 {
		return nil, err
	}
	return balances, nil
}

// prizeNotice is a prize paid, to tell its rep.
type prizeNotice struct {
	rep, key, note string
	points         int64
}

// finalizeBoard marks one board final and pays its prizes; it returns what it paid.
func finalizeBoard(ctx context.Context, tx pgx.Tx, c *contest.Contest, key string) ([]prizeNotice, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO finals (contest_id, period_key) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.ID, key)
	if err != nil {
		return nil, fmt.Errorf("mark board %s of contest %s final: %w", key, c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return nil, nil
	}
	if len(c.Prizes) == 0 {
		return nil, nil
	}
	// The same order as the boards in Redis: in a race the finishers first, in finishing order;
	// then score, who reached it first, and the id compared bytewise.
	rows, err := tx.Query(ctx, `SELECT entrant, score FROM standings WHERE contest_id = $1 AND period_key = $2
		ORDER BY finished_at ASC NULLS LAST, score DESC, reached_at ASC, entrant COLLATE "C" ASC`, c.ID, key)
	if err != nil {
		return nil, fmt.Errorf("read board %s of contest %s: %w", key, c.ID, err)
	}
	board, err := pgx.CollectRows(rows, pgx.RowToStructByPos[contest.Placed])
	if err != nil {
		return nil, fmt.Errorf("read board %s of contest %s: %w", key, c.ID, err)
	}
	var paid []prizeNotice
	for _, p := range c.Payouts(board) {
		reps := []string{p.Entrant}
		if c.Scope == contest.ScopeTeam {
			if reps, err = teamScorers(ctx, tx, c.ID, key, p.Entrant); err != nil {
				return nil, err
			}
		}
		if err := LockBalances(ctx, tx, reps); err != nil {
			return nil, err
		}
		note := c.PrizeNote(p, key)
		for _, rep := range reps {
			tag, err := tx.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, contest_id, period_key, by, note)
				VALUES ($1, $2, 'prize', $3, $4, $5, $6) ON CONFLICT DO NOTHING`, rep, p.Points, c.ID, key, bullpen.SystemActor, note)
			if err != nil {
				return nil, fmt.Errorf("pay prize: %w", err)
			}
			if tag.RowsAffected() == 1 {
				paid = append(paid, prizeNotice{rep: rep, key: key, note: note, points: p.Points})
			}
		}
	}
	return paid, nil
}

// teamScorers are the reps who scored for a team on a board: their contributions add up to
// more than nothing.
func teamScorers(ctx context.Context, tx pgx.Tx, contestID, key, team string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT rep_id FROM contributions WHERE contest_id = $1 AND period_key = $2 AND entrant = $3
		GROUP BY rep_id HAVING sum(delta) > 0 ORDER BY rep_id`, contestID, key, team)
	if err != nil {
		return nil, fmt.Errorf("read scorers of team %s: %w", team, err)
	}
	reps, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read scorers of team %s: %w", team, err)
	}
	return reps, nil
}

// NotifyLifecycle queues contest.started for contests that have started and contest.ended
// for those that have ended (into their grace) or were cancelled, each once, and returns how
// many it queued.
func (db *DB) NotifyLifecycle(ctx context.Context) (int, error) {
	n := 0
	err := db.inTx(ctx, "notify contest lifecycle", func(tx pgx.Tx) error {
		n = 0
		for _, step := range []struct{ typ, sql string }{
			{message.TypeContestStarted, `UPDATE contests SET started_notified_at = now()
				WHERE cancelled_at IS NULL AND started_notified_at IS NULL AND starts_at <= now() RETURNING ` + contestColumns},
			// A cancelled contest ends too (its status says cancelled), so screens drop it.
			{message.TypeContestEnded, `UPDATE contests SET ended_notified_at = now()
				WHERE ended_notified_at IS NULL
				  AND (cancelled_at IS NOT NULL OR least(ends_at, ended_at, race_ended_at) <= now()) RETURNING ` + contestColumns},
		} {
			rows, err := tx.Query(ctx, step.sql)
			if err != nil {
				return fmt.Errorf("mark %s notified: %w", step.typ, err)
			}
			cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*contest.Contest, error) { return scanContest(r) })
			if err != nil {
				return fmt.Errorf("mark %s notified: %w", step.typ, err)
			}
			notices := make([]bullpen.Notice, 0, len(cs))
			for _, c := range cs {
				c.Status = c.StatusAt(db.now())
				notices = append(notices, message.Floor(step.typ, c))
			}
			if err := insertNotices(ctx, tx, notices); err != nil {
				return err
			}
			n += len(notices)
		}
		return nil
	})
	return n, err
}

// openBoards lists a contest's boards that have rows and are not final.
func openBoards(ctx context.Context, tx pgx.Tx, contestID string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT s.period_key FROM standings s WHERE s.contest_id = $1
		AND NOT EXISTS (SELECT 1 FROM finals f WHERE f.contest_id = s.contest_id AND f.period_key = s.period_key)
		ORDER BY 1`, contestID)
	if err != nil {
		return nil, fmt.Errorf("list open boards of contest %s: %w", contestID, err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list open boards of contest %s: %w", contestID, err)
	}
	return keys, nil
}
