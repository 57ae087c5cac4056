package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/ingest"
	"bullpen/internal/target"
)

// setColumns is the select list scanSet reads.
const setColumns = `s.id, s.period, s.metric, s.team_id, s.timezone, s.weights, s.starts_at, s.ends_at`

func scanSet(row pgx.Row, more ...any) (*target.Set, error) {
	var s target.Set
	var weights []byte
	if err := row.Scan(append([]any{&s.ID, &s.Period, &s.Metric, &s.TeamID, &s.Timezone, &weights, &s.Start, &s.End}, more...)...); err != nil {
		return nil, err
	}
	if len(weights) > 0 {
		if err := json.Unmarshal(weights, &s.Weights); err != nil {
			return nil, fmt.Errorf("target set %d weights: %w", s.ID, err)
		}
	}
	s.Start, s.End = s.Start.UTC(), s.End.UTC()
	return &s, nil
}

func collectSets(rows pgx.Rows) ([]*target.Set, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*target.Set, error) { return scanSet(r) })
}

// batchSetsSQL selects the target sets a batch may count in: those still taking events that
// arrive from $1 on (not past their end plus the grace) and begun by the latest time the batch
// scores at ($2: its latest occurred_at, or the win of a deal it updates or reverses, $3).
const batchSetsSQL = `SELECT ` + setColumns + ` FROM target_sets s
	WHERE s.ends_at > $1 AND s.starts_at <= greatest($2::timestamptz,
		(SELECT max(d.won_at) FROM unnest($3::text[]) AS u(deal_id) JOIN deals d USING (deal_id)))`

// moveAttainment adds a batch's moves to the attainment rows, in key order (so concurrent
// batches lock them in the same order), and returns the rows' absolute values.
func moveAttainment(ctx context.Context, tx pgx.Tx, moves map[target.ValueKey]bullpen.Fixed) ([]target.Value, error) {
	if len(moves) == 0 {
		return nil, nil
	}
	keys := make([]target.ValueKey, 0, len(moves))
	for k := range moves {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareValueKeys)
	sets, reps, deltas := make([]int64, len(keys)), make([]string, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		sets[i], reps[i], deltas[i] = k.SetID, k.RepID, int64(moves[k])
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO attainment AS a (set_id, rep_id, value)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
		ON CONFLICT (set_id, rep_id) DO UPDATE SET value = a.value + excluded.value, version = a.version + 1
		RETURNING set_id, rep_id, value, version`, sets, reps, deltas)
	if err != nil {
		return nil, fmt.Errorf("move attainment: %w", err)
	}
	out, err := collectValues(rows)
	if err != nil {
		return nil, fmt.Errorf("move attainment: %w", err)
	}
	return out, nil
}

func compareValueKeys(a, b target.ValueKey) int {
	if a.SetID != b.SetID {
		if a.SetID < b.SetID {
			return -1
		}
		return 1
	}
	return strings.Compare(a.RepID, b.RepID)
}

func collectValues(rows pgx.Rows) ([]target.Value, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (target.Value, error) {
		var v target.Value
		err := r.Scan(&v.SetID, &v.RepID, &v.Value, &v.Version)
		return v, err
	})
}

// attainmentOfReps returns every attainment row of the reps of already-recorded events, so
// that a redelivery after a crash between commit and projection repairs the projection (a
// superset of what the events moved: there is no row per event to say exactly).
func attainmentOfReps(ctx context.Context, tx pgx.Tx, eventIDs []string) ([]target.Value, error) {
	rows, err := tx.Query(ctx, `SELECT a.set_id, a.rep_id, a.value, a.version FROM attainment a
		WHERE a.rep_id IN (SELECT rep_id FROM events WHERE event_id = ANY($1))`, eventIDs)
	if err != nil {
		return nil, fmt.Errorf("read attainment of redelivered events: %w", err)
	}
	out, err := collectValues(rows)
	if err != nil {
		return nil, fmt.Errorf("read attainment of redelivered events: %w", err)
	}
	return out, nil
}

// StoredSets returns the stored sets among keys.
func (db *DB) StoredSets(ctx context.Context, keys []target.SetKey) (map[target.SetKey]*target.Set, error) {
	periods, metrics, teams := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		periods[i], metrics[i], teams[i] = k.Period, k.Metric, k.TeamID
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+setColumns+` FROM target_sets s
		JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(period, metric, team_id) USING (period, metric, team_id)`,
		periods, metrics, teams)
	if err != nil {
		return nil, fmt.Errorf("read target sets: %w", err)
	}
	sets, err := collectSets(rows)
	if err != nil {
		return nil, fmt.Errorf("read target sets: %w", err)
	}
	out := make(map[target.SetKey]*target.Set, len(sets))
	for _, s := range sets {
		out[s.Key()] = s
	}
	return out, nil
}

// TargetDirectory reads what the directory says of teams and reps: which of the teams have a
// rep, and the reps that exist.
func (db *DB) TargetDirectory(ctx context.Context, teams, reps []string) (target.Directory, error) {
	dir := target.Directory{Teams: map[string]bool{}, Reps: map[string]bullpen.Rep{}}
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT r.team_id FROM reps r JOIN unnest($1::text[]) AS u(team_id) USING (team_id)`, teams)
	if err != nil {
		return dir, fmt.Errorf("read teams: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return dir, fmt.Errorf("read teams: %w", err)
	}
	for _, t := range found {
		dir.Teams[t] = true
	}
	rows, err = db.Pool.Query(ctx, `SELECT r.rep_id, r.name, r.team_id FROM reps r JOIN unnest($1::text[]) AS u(rep_id) USING (rep_id)`, reps)
	if err != nil {
		return dir, fmt.Errorf("read reps: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bullpen.Rep])
	if err != nil {
		return dir, fmt.Errorf("read reps: %w", err)
	}
	for _, r := range list {
		dir.Reps[r.RepID] = r
	}
	return dir, nil
}

// WriteTargets applies planned changes in one transaction: each set stored with its rules,
// each row that differs written with the token that wrote it (by), one audit record per set
// that changed, and the sets that are new or have new rules counted again from the ledger
// (under the ingest lock, so no batch runs between the count and the commit).
func (db *DB) WriteTargets(ctx context.Context, changes []target.Change, by string) (target.Outcome, error) {
	var out target.Outcome
	err := db.inTx(ctx, "write targets", func(tx pgx.Tx) error {
		var err error
		out, err = writeTargets(ctx, tx, changes, by, db.Grace)
		return err
	})
	return out, err
}

func writeTargets(ctx context.Context, tx pgx.Tx, changes []target.Change, by string, grace time.Duration) (target.Outcome, error) {
	var out target.Outcome
	locked := false
	ids := make([]int64, len(changes))
	prior := make([]*target.Set, len(changes)) // each set as it was, nil for a new one
	for i := range changes {
		ch := &changes[i]
		weights, err := jsonOrNull(ch.Set.Weights)
		if err != nil {
			return out, err
		}
		// The plan was made from a read before this transaction: whether the set's rules
		// change is decided again on the set as it is locked now.
		ch.Recount, prior[i], err = rulesChange(ctx, tx, ch.Set)
		if err != nil {
			return out, err
		}
		if ch.Recount && !locked {
			if err := LockIngest(ctx, tx); err != nil {
				return out, err
			}
			locked = true
		}
		if err := tx.QueryRow(ctx, `INSERT INTO target_sets (period, metric, team_id, timezone, weights, starts_at, ends_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (period, metric, team_id) DO UPDATE SET timezone = excluded.timezone, weights = excluded.weights,
				starts_at = excluded.starts_at, ends_at = excluded.ends_at, version = target_sets.version + 1
			RETURNING id`, ch.Set.Period, ch.Set.Metric, ch.Set.TeamID, ch.Set.Timezone, weights, ch.Set.Start, ch.Set.End,
		).Scan(&ch.Set.ID); err != nil {
			return out, fmt.Errorf("store target set: %w", err)
		}
		ids[i] = ch.Set.ID
		out.Sets = append(out.Sets, ch.Set)
	}
	was, err := lockRows(ctx, tx, ids)
	if err != nil {
		return out, err
	}
	var setIDs, targets []int64
	var repIDs []string
	for _, ch := range changes {
		for _, r := range ch.Rows {
			setIDs, repIDs, targets = append(setIDs, ch.Set.ID), append(repIDs, r.RepID), append(targets, int64(r.Target))
		}
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO targets AS t (set_id, rep_id, target, updated_by)
		SELECT u.set_id, u.rep_id, u.target, $4 FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(set_id, rep_id, target)
		ORDER BY u.set_id, u.rep_id
		ON CONFLICT (set_id, rep_id) DO UPDATE SET target = excluded.target, updated_by = excluded.updated_by, updated_at = now()
			WHERE t.target <> excluded.target
		RETURNING set_id, rep_id, target, xmax = 0`, setIDs, repIDs, targets, by)
	if err != nil {
		return out, fmt.Errorf("store targets: %w", err)
	}
	changed := map[int64]map[string]bullpen.Fixed{}
	var setID, target int64
	var repID string
	var inserted bool
	_, err = pgx.ForEachRow(rows, []any{&setID, &repID, &target, &inserted}, func() error {
		if inserted {
			out.Created++
		} else {
			out.Updated++
		}
		if changed[setID] == nil {
			changed[setID] = map[string]bullpen.Fixed{}
		}
		changed[setID][repID] = bullpen.Fixed(target)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("store targets: %w", err)
	}
	out.Unchanged = len(setIDs) - out.Created - out.Updated
	var moved []string // reps whose quota club is judged against another target now
	for _, reps := range changed {
		for id := range reps {
			if id != "" {
				moved = append(moved, id)
			}
		}
	}
	if err := bumpEpochs(ctx, tx, moved); err != nil {
		return out, err
	}
	for i, ch := range changes {
		if len(changed[ch.Set.ID]) == 0 && !ch.Recount {
			continue
		}
		rec, err := setChange(by, prior[i], &ch, was)
		if err != nil {
			return out, err
		}
		if err := Record(ctx, tx, rec); err != nil {
			return out, err
		}
		if ch.Recount {
			vals, err := recountSet(ctx, tx, &ch.Set, grace)
			if err != nil {
				return out, err
			}
			out.Recounted = append(out.Recounted, vals...)
		}
	}
	stored, err := storedRows(ctx, tx, ids)
	if err != nil {
		return out, err
	}
	for _, ch := range changes {
		for _, r := range ch.Rows {
			t, ok := stored[rowKey{ch.Set.ID, r.RepID}]
			if !ok {
				return out, fmt.Errorf("target %s/%s not found after writing it", setSubject(ch.Set.Key()), r.RepID)
			}
			t.Period, t.Metric, t.TeamID, t.Timezone, t.Weights = ch.Set.Period, ch.Set.Metric, ch.Set.TeamID, ch.Set.Timezone, ch.Set.Weights
			out.Items = append(out.Items, t)
		}
	}
	return out, nil
}

// rulesChange locks a stored set and says whether s, its next version, counts differently
// (other time zone or weights), or is new; it returns the set as stored (nil: new).
func rulesChange(ctx context.Context, tx pgx.Tx, s target.Set) (bool, *target.Set, error) {
	rows, err := tx.Query(ctx, `SELECT `+setColumns+` FROM target_sets s WHERE s.period = $1 AND s.metric = $2 AND s.team_id = $3
		FOR UPDATE`, s.Period, s.Metric, s.TeamID)
	if err != nil {
		return false, nil, fmt.Errorf("lock target set: %w", err)
	}
	old, err := collectSets(rows)
	if err != nil {
		return false, nil, fmt.Errorf("lock target set: %w", err)
	}
	if len(old) == 0 {
		return true, nil, nil
	}
	return old[0].Timezone != s.Timezone || !maps.Equal(old[0].Weights, s.Weights), old[0], nil
}

// setSubject names a set in the audit trail, under the kind "targets".
func setSubject(k target.SetKey) string {
	return k.Period + "/" + k.Metric + "/" + k.TeamID
}

type rowKey struct {
	set int64
	rep string
}

// storedRows reads the target rows of sets, by set and rep.
func storedRows(ctx context.Context, q Querier, setIDs []int64) (map[rowKey]target.Target, error) {
	rows, err := q.Query(ctx, `SELECT set_id, rep_id, target, updated_by, updated_at FROM targets WHERE set_id = ANY($1)`, setIDs)
	if err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}
	out := map[rowKey]target.Target{}
	var k rowKey
	var t target.Target
	var at time.Time
	_, err = pgx.ForEachRow(rows, []any{&k.set, &k.rep, &t.Target, &t.UpdatedBy, &at}, func() error {
		at := at.UTC()
		t.RepID, t.UpdatedAt = k.rep, &at
		out[k] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}
	return out, nil
}

// recountSet counts a set again from the ledger (inside tx, which holds LockIngest) by the rule
// a batch follows (ingest.Recount on the set's contest view), and writes each rep's value as
// an absolute value. Versions keep growing (a row the count no longer finds is set to 0, not
// deleted), so a projection write of an older count can never win over this one.
func recountSet(ctx context.Context, tx pgx.Tx, s *target.Set, grace time.Duration) ([]target.Value, error) {
	c := s.Rules()
	r := ingest.NewRecount(c, grace)
	if err := recountDeals(ctx, tx, r, c); err != nil {
		return nil, err
	}
	if c.Metric == contest.MetricPoints {
		if err := recountActivities(ctx, tx, r, c); err != nil {
			return nil, err
		}
	}
	reps, values := make([]string, 0, len(r.Moves)), make([]int64, 0, len(r.Moves))
	for k, m := range r.Moves {
		reps, values = append(reps, k.Entrant), append(values, int64(m.Delta))
	}
	if _, err := tx.Exec(ctx, `UPDATE attainment SET value = 0, version = version + 1 WHERE set_id = $1`, s.ID); err != nil {
		return nil, fmt.Errorf("recount target set: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO attainment AS a (set_id, rep_id, value)
		SELECT $1, u.rep_id, u.value FROM unnest($2::text[], $3::bigint[]) AS u(rep_id, value) ORDER BY u.rep_id
		ON CONFLICT (set_id, rep_id) DO UPDATE SET value = excluded.value`, s.ID, reps, values); err != nil {
		return nil, fmt.Errorf("recount target set: %w", err)
	}
	return setValues(ctx, tx, []int64{s.ID})
}

// setValues reads the attainment rows of sets.
func setValues(ctx context.Context, q Querier, setIDs []int64) ([]target.Value, error) {
	rows, err := q.Query(ctx, `SELECT set_id, rep_id, value, version FROM attainment WHERE set_id = ANY($1)`, setIDs)
	if err != nil {
		return nil, fmt.Errorf("read attainment: %w", err)
	}
	out, err := collectValues(rows)
	if err != nil {
		return nil, fmt.Errorf("read attainment: %w", err)
	}
	return out, nil
}

// AllAttainment calls fn with every attainment row, a page at a time, to rebuild the projection.
func (db *DB) AllAttainment(ctx context.Context, fn func([]target.Value) error) error {
	rows, err := db.Pool.Query(ctx, `SELECT set_id, rep_id, value, version FROM attainment`)
	if err != nil {
		return fmt.Errorf("read attainment: %w", err)
	}
	defer rows.Close()
	page := make([]target.Value, 0, 5000)
	for rows.Next() {
		var v target.Value
		if err := rows.Scan(&v.SetID, &v.RepID, &v.Value, &v.Version); err != nil {
			return fmt.Errorf("read attainment: %w", err)
		}
		page = append(page, v)
		if len(page) == cap(page) {
			if err := fn(page); err != nil {
				return err
			}
			page = page[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read attainment: %w", err)
	}
	if len(page) > 0 {
		return fn(page)
	}
	return nil
}
