package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/message"
	"bullpen/internal/screen"
)

// Screens: every change is written with its audit record and, for the displays bound to the
// screen, its `screen` message in the outbox, in one transaction.

const screenColumns = `id::text, name, slides, seconds, amounts, sound, celebrate_teams, version,
	created_by, created_at, updated_by, updated_at`

func scanScreen(row pgx.Row) (*screen.Screen, error) {
	var s screen.Screen
	var slides []byte
	err := row.Scan(&s.ID, &s.Name, &slides, &s.Seconds, &s.Amounts, &s.Sound, &s.CelebrateTeams, &s.Version,
		&s.CreatedBy, &s.CreatedAt, &s.UpdatedBy, &s.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(slides, &s.Slides); err != nil {
		return nil, fmt.Errorf("screen %s slides: %w", s.ID, err)
	}
	if s.CelebrateTeams == nil {
		s.CelebrateTeams = []string{}
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return &s, nil
}

func notFoundScreen(id string) error {
	return bullpen.Errorf(bullpen.ENotFound, "no screen %q", id)
}

// Screen reads one screen.
func (db *DB) Screen(ctx context.Context, id string) (*screen.Screen, error) {
	return getScreen(ctx, db.Pool, id, "")
}

func getScreen(ctx context.Context, q Querier, id, lock string) (*screen.Screen, error) {
	if !isID(id) {
		return nil, notFoundScreen(id)
	}
	s, err := scanScreen(q.QueryRow(ctx, `SELECT `+screenColumns+` FROM screens WHERE id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFoundScreen(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read screen %s: %w", id, err)
	}
	return s, nil
}

// Screens lists every screen by name.
func (db *DB) Screens(ctx context.Context) ([]*screen.Screen, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+screenColumns+` FROM screens ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("list screens: %w", err)
	}
	defer rows.Close()
	out := []*screen.Screen{}
	for rows.Next() {
		s, err := scanScreen(rows)
		if err != nil {
			return nil, fmt.Errorf("list screens: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list screens: %w", err)
	}
	return out, nil
}

// MissingContests returns those of ids that name no contest.
func (db *DB) MissingContests(ctx context.Context, ids []string) ([]string, error) {
	var valid, missing []string
	for _, id := range ids {
		if isID(id) {
			valid = append(valid, id)
		} else {
			missing = append(missing, id)
		}
	}
	if len(valid) == 0 {
		return missing, nil
	}
	rows, err := db.Pool.Query(ctx, `SELECT x FROM unnest($1::text[]) x
		WHERE NOT EXISTS (SELECT 1 FROM contests WHERE id = x::uuid)`, valid)
	if err != nil {
		return nil, fmt.Errorf("check contests: %w", err)
	}
	more, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("check contests: %w", err)
	}
	return append(missing, more...), nil
}

// CreateScreen stores a normalized screen (CreatedBy says who) with its audit record, and fills
// in its id, version and times.
func (db *DB) CreateScreen(ctx context.Context, s *screen.Screen) error {
	slides, err := json.Marshal(s.Slides)
	if err != nil {
		return err
	}
	return db.tx(ctx, pgx.TxOptions{}, "create screen", func(tx pgx.Tx) error {
		stored, err := scanScreen(tx.QueryRow(ctx, `
			INSERT INTO screens (name, slides, seconds, amounts, sound, celebrate_teams, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING `+screenColumns,
			s.Name, slides, s.Seconds, s.Amounts, s.Sound, s.CelebrateTeams, s.CreatedBy))
		if err != nil {
			return fmt.Errorf("insert screen: %w", err)
		}
		*s = *stored
		after, err := audit.Whole(s)
		if err != nil {
			return err
		}
		return Record(ctx, tx, audit.Change{By: s.CreatedBy, Action: "screen.create", Subject: s.ID, After: after})
	})
}

// UpdateScreen locks screen id and asks change for its new form (an error refuses; nil: no
// change). A change is stored with the next version, its audit record and the screen's
// message to its displays. It returns the screen as stored.
func (db *DB) UpdateScreen(ctx context.Context, id, by string, change func(*screen.Screen) (*screen.Screen, error)) (*screen.Screen, error) {
	var out *screen.Screen
	err := db.tx(ctx, pgx.TxOptions{}, "update screen "+id, func(tx pgx.Tx) error {
		old, err := getScreen(ctx, tx, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		s, err := change(old)
		if err != nil || s == nil {
			out = old
			return err
		}
		slides, err := json.Marshal(s.Slides)
		if err != nil {
			return err
		}
		if out, err = scanScreen(tx.QueryRow(ctx, `
			UPDATE screens SET name = $2, slides = $3, seconds = $4, amounts = $5, sound = $6, celebrate_teams = $7,
				version = version + 1, updated_by = $8, updated_at = now()
			WHERE id = $1 RETURNING `+screenColumns,
			id, s.Name, slides, s.Seconds, s.Amounts, s.Sound, s.CelebrateTeams, by)); err != nil {
			return fmt.Errorf("update screen %s: %w", id, err)
		}
		before, err := audit.Whole(old)
		if err != nil {
			return err
		}
		after, err := audit.Whole(out)
		if err != nil {
			return err
		}
		before, after, err = audit.Changed(before.Without("version", "updated_by", "updated_at"), after.Without("version", "updated_by", "updated_at"))
		if err != nil {
			return err
		}
		if err := Record(ctx, tx, audit.Change{By: by, Action: "screen.update", Subject: id, Before: before, After: after}); err != nil {
			return err
		}
		return insertNotices(ctx, tx, []bullpen.Notice{{Channel: bullpen.ScreenChannel(id), Type: message.TypeScreen, Data: out}})
	})
	return out, err
}

// DeleteScreen removes a screen with its audit record: the display tokens bound to it are left
// unbound and its displays hear it is gone.
func (db *DB) DeleteScreen(ctx context.Context, id, by string) error {
	return db.tx(ctx, pgx.TxOptions{}, "delete screen "+id, func(tx pgx.Tx) error {
		old, err := getScreen(ctx, tx, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM screens WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete screen %s: %w", id, err)
		}
		before, err := audit.Whole(old)
		if err != nil {
			return err
		}
		if err := Record(ctx, tx, audit.Change{By: by, Action: "screen.delete", Subject: id, Before: before}); err != nil {
			return err
		}
		return insertNotices(ctx, tx, []bullpen.Notice{{Channel: bullpen.ScreenChannel(id), Type: message.TypeScreen,
			Data: &screen.Removed{ID: id, Removed: true}}})
	})
}
