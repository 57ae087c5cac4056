package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/target"
)

// TargetSets returns the sets f selects with their targets, by period, metric and team.
func (db *DB) TargetSets(ctx context.Context, f target.Filter) ([]target.Stored, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+setColumns+`, s.version FROM target_sets s
		WHERE CASE WHEN $1 = '' THEN s.starts_at <= $2 AND s.ends_at > $2 ELSE s.period = $1 END
		  AND ($3 = '' OR s.metric = $3)
		  AND ($4 = '' OR s.team_id = $4)
		  AND ($5 = '' OR s.id IN (SELECT set_id FROM targets WHERE rep_id = $5))
		ORDER BY s.period, s.metric, s.team_id`, f.Period, f.Now, f.Metric, f.TeamID, f.RepID)
	if err != nil {
		return nil, fmt.Errorf("read target sets: %w", err)
	}
	var versions []int64
	sets, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*target.Set, error) {
		var v int64
		s, err := scanSet(r, &v)
		versions = append(versions, v)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("read target sets: %w", err)
	}
	out, err := withTargets(ctx, db.Pool, sets)
	for i := range out {
		out[i].Version = versions[i]
	}
	return out, err
}

// CurrentTargetVersions returns the version of every target set current at now (as
// TargetSets with only Now reads them), by set id.
func (db *DB) CurrentTargetVersions(ctx context.Context, now time.Time) (map[int64]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, version FROM target_sets WHERE starts_at <= $1 AND ends_at > $1`, now)
	if err != nil {
		return nil, fmt.Errorf("read target set versions: %w", err)
	}
	out := map[int64]int64{}
	var id, v int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &v}, func() error {
		out[id] = v
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read target set versions: %w", err)
	}
	return out, nil
}

func withTargets(ctx context.Context, q Querier, sets []*target.Set) ([]target.Stored, error) {
	ids := make([]int64, len(sets))
	for i, s := range sets {
		ids[i] = s.ID
	}
	stored, err := storedRows(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]target.Stored, len(sets))
	for i, s := range sets {
		out[i].Set = *s
	}
	index := make(map[int64]int, len(sets))
	for i, s := range sets {
		index[s.ID] = i
	}
	for k, t := range stored {
		st := &out[index[k.set]]
		t.Period, t.Metric, t.TeamID, t.Timezone, t.Weights = st.Set.Period, st.Set.Metric, st.Set.TeamID, st.Set.Timezone, st.Set.Weights
		if k.rep == "" {
			own := t
			st.Own = &own
			continue
		}
		st.Reps = append(st.Reps, t)
	}
	for i := range out {
		slices.SortFunc(out[i].Reps, func(a, b target.Target) int {
			switch {
			case a.RepID < b.RepID:
				return -1
			case a.RepID > b.RepID:
				return 1
			}
			return 0
		})
	}
	return out, nil
}

// TargetSet returns one set with its targets and version, by id (bullpen.ENotFound if it is
// gone). The version is read before the targets: a change between the two reads leaves a copy
// newer than its version says, which the next look at the version reads again.
func (db *DB) TargetSet(ctx context.Context, id int64) (target.Stored, error) {
	var version int64
	set, err := scanSet(db.Pool.QueryRow(ctx, `SELECT `+setColumns+`, s.version FROM target_sets s WHERE s.id = $1`, id), &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return target.Stored{}, bullpen.Errorf(bullpen.ENotFound, "target set %d not found", id)
	}
	if err != nil {
		return target.Stored{}, fmt.Errorf("read target set %d: %w", id, err)
	}
	out, err := withTargets(ctx, db.Pool, []*target.Set{set})
	if err != nil {
		return target.Stored{}, err
	}
	out[0].Version = version
	return out[0], nil
}

// TargetSetVersion returns set id's version, which moves with every change of the set or its
// targets (bullpen.ENotFound if it is gone).
func (db *DB) TargetSetVersion(ctx context.Context, id int64) (int64, error) {
	var version int64
	err := db.Pool.QueryRow(ctx, `SELECT version FROM target_sets WHERE id = $1`, id).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, bullpen.Errorf(bullpen.ENotFound, "target set %d not found", id)
	}
	if err != nil {
		return 0, fmt.Errorf("read target set %d version: %w", id, err)
	}
	return version, nil
}

// SetAttainmentRows returns the attainment rows of a set as the ledger counts them.
func (db *DB) SetAttainmentRows(ctx context.Context, setID int64) ([]target.Value, error) {
	return setValues(ctx, db.Pool, []int64{setID})
}

// DeleteTarget removes one target (repID empty: the team's own) and records who did it. The
// set's last target takes the set and its attainment with it, under the ingest lock (batches
// write attainment rows of the sets they read). It returns the set's id and whether the set
// is gone; bullpen.ENotFound if there was no such target.
func (db *DB) DeleteTarget(ctx context.Context, k target.SetKey, repID, by string) (int64, bool, error) {
	var id int64
	var gone bool
	err := db.inTx(ctx, "delete target", func(tx pgx.Tx) error {
		if err := LockIngest(ctx, tx); err != nil {
			return err
		}
		// The set's row first, as a change of targets takes it (writeTargets): its version moves.
		if _, err := tx.Exec(ctx, `UPDATE target_sets SET version = version + 1 WHERE period = $1 AND metric = $2 AND team_id = $3`,
			k.Period, k.Metric, k.TeamID); err != nil {
			return fmt.Errorf("delete target: %w", err)
		}
		var old int64
		err := tx.QueryRow(ctx, `DELETE FROM targets t USING target_sets s
			WHERE t.set_id = s.id AND s.period = $1 AND s.metric = $2 AND s.team_id = $3 AND t.rep_id = $4
			RETURNING s.id, t.target`, k.Period, k.Metric, k.TeamID, repID).Scan(&id, &old)
		if err == pgx.ErrNoRows {
			return bullpen.Errorf(bullpen.ENotFound, "no target for %s in %s %s of team %s", orTeam(repID), k.Period, k.Metric, k.TeamID)
		}
		if err != nil {
			return fmt.Errorf("delete target: %w", err)
		}
		if repID != "" {
			if err := bumpEpochs(ctx, tx, []string{repID}); err != nil {
				return err
			}
		}
		var left bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM targets WHERE set_id = $1)`, id).Scan(&left); err != nil {
			return fmt.Errorf("delete target: %w", err)
		}
		if gone = !left; gone {
			for _, q := range []string{`DELETE FROM attainment WHERE set_id = $1`, `DELETE FROM target_sets WHERE id = $1`} {
				if _, err := tx.Exec(ctx, q, id); err != nil {
					return fmt.Errorf("delete target set: %w", err)
				}
			}
		}
		return Record(ctx, tx, audit.Change{By: by, Action: "targets.delete", Subject: setSubject(k),
			Before: audit.Fields{targetField(repID): fixedJSON(bullpen.Fixed(old))}, Detail: map[string]bool{"set_removed": gone}})
	})
	return id, gone, err
}

func orTeam(repID string) string {
	if repID == "" {
		return "the team"
	}
	return "rep " + repID
}
