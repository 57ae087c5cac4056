package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/achievement"
	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
)

// readRules reads the achievement rules row; none means no rule is enabled.
func readRules(row pgx.Row) (achievement.Rules, error) {
	var raw []byte
	if err := row.Scan(&raw); errors.Is(err, pgx.ErrNoRows) {
		return achievement.Rules{}, nil
	} else if err != nil {
		return achievement.Rules{}, fmt.Errorf("read achievement rules: %w", err)
	}
	var r achievement.Rules
	if err := json.Unmarshal(raw, &r); err != nil {
		return achievement.Rules{}, fmt.Errorf("read achievement rules: %w", err)
	}
	return r, nil
}

// AchievementRules are the rules in force (GET /api/v1/achievements).
func (db *DB) AchievementRules(ctx context.Context) (achievement.Rules, error) {
	return readRules(db.Pool.QueryRow(ctx, `SELECT rules FROM achievement_rules`))
}

// PutAchievementRules replaces the rules, recording the change (achievements.put) when it
// changes anything. The consumer's next batch applies them.
func (db *DB) PutAchievementRules(ctx context.Context, r achievement.Rules, by string) error {
	return db.inTx(ctx, "write achievement rules", func(tx pgx.Tx) error {
		before, err := readRules(tx.QueryRow(ctx, `SELECT rules FROM achievement_rules FOR UPDATE`))
		if err != nil {
			return err
		}
		bf, err := audit.Whole(before)
		if err != nil {
			return err
		}
		af, err := audit.Whole(r)
		if err != nil {
			return err
		}
		bf, af, err = audit.Changed(bf, af)
		if err != nil || af == nil {
			return err
		}
		raw, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("write achievement rules: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO achievement_rules (rules, updated_by) VALUES ($1, $2)
			ON CONFLICT (one) DO UPDATE SET rules = excluded.rules, updated_by = excluded.updated_by, updated_at = now()`,
			raw, by); err != nil {
			return fmt.Errorf("write achievement rules: %w", err)
		}
		return Record(ctx, tx, audit.Change{By: by, Action: "achievements.put", Before: bf, After: af})
	})
}

const awardColumns = `a.id, a.rep_id, a.kind, a.occurrence, coalesce(a.deal_id, ''), a.points, a.note, a.awarded_at,
	a.revoked_at, coalesce(a.revoked_reason, '')`

func scanAward(r pgx.CollectableRow) (achievement.Award, error) {
	var a achievement.Award
	err := r.Scan(&a.ID, &a.RepID, &a.Kind, &a.Key, &a.DealID, &a.Points, &a.Note, &a.AwardedAt, &a.RevokedAt, &a.RevokedReason)
	return a, err
}

// addAwards adds the awards rows holds to their reps' Awards.
func addAwards(rows pgx.Rows, byID map[string]*achievement.Rep) error {
	awards, err := pgx.CollectRows(rows, scanAward)
	if err != nil {
		return err
	}
	for _, a := range awards {
		byID[a.RepID].Awards = append(byID[a.RepID].Awards, a)
	}
	return nil
}

// RepAchievements are a rep's badges, newest award first, revoked ones included; 404 for a
// rep the directory does not know and that has none.
func (db *DB) RepAchievements(ctx context.Context, repID string) ([]achievement.Award, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+awardColumns+` FROM achievements a WHERE a.rep_id = $1
		ORDER BY a.awarded_at DESC, a.id DESC`, repID)
	if err != nil {
		return nil, fmt.Errorf("read achievements of rep %s: %w", repID, err)
	}
	out, err := pgx.CollectRows(rows, scanAward)
	if err != nil {
		return nil, fmt.Errorf("read achievements of rep %s: %w", repID, err)
	}
	if len(out) == 0 {
		var known bool
		if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reps WHERE rep_id = $1)`, repID).Scan(&known); err != nil {
			return nil, fmt.Errorf("read rep %s: %w", repID, err)
		}
		if !known {
			return nil, bullpen.Errorf(bullpen.ENotFound, "rep %s not found", repID)
		}
	}
	return out, nil
}
