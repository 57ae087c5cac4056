package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
	"bullpen/internal/target"
)

// lockRows reads the stored targets of sets, locked until the transaction ends, so what the
// audit trail calls their before is what the write replaces.
func lockRows(ctx context.Context, tx pgx.Tx, setIDs []int64) (map[rowKey]bullpen.Fixed, error) {
	rows, err := tx.Query(ctx, `SELECT set_id, rep_id, target FROM targets WHERE set_id = ANY($1) ORDER BY set_id, rep_id FOR UPDATE`, setIDs)
	if err != nil {
		return nil, fmt.Errorf("lock targets: %w", err)
	}
	out := map[rowKey]bullpen.Fixed{}
	var k rowKey
	var t int64
	_, err = pgx.ForEachRow(rows, []any{&k.set, &k.rep, &t}, func() error {
		out[k] = bullpen.Fixed(t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lock targets: %w", err)
	}
	return out, nil
}

// setChange is the audit record of one set's write: its time zone and weights, and one field
// per target the request names ("target" the team's own, "target.{rep_id}" a rep's). A new
// set has only an after; a stored one the fields that changed, old and new. prior is the set
// as stored (nil: new), was its targets as stored.
func setChange(by string, prior *target.Set, ch *target.Change, was map[rowKey]bullpen.Fixed) (audit.Change, error) {
	rec := audit.Change{By: by, Action: "targets.put", Subject: setSubject(ch.Set.Key())}
	after, err := setFields(&ch.Set)
	if err != nil {
		return rec, err
	}
	for _, r := range ch.Rows {
		after[targetField(r.RepID)] = fixedJSON(r.Target)
	}
	if prior == nil {
		rec.After = after
		return rec, nil
	}
	before, err := setFields(prior)
	if err != nil {
		return rec, err
	}
	for _, r := range ch.Rows {
		if t, ok := was[rowKey{ch.Set.ID, r.RepID}]; ok {
			before[targetField(r.RepID)] = fixedJSON(t)
		}
	}
	rec.Before, rec.After, err = audit.Changed(before, after)
	return rec, err
}

func setFields(s *target.Set) (audit.Fields, error) {
	w, err := json.Marshal(s.Weights)
	if err != nil {
		return nil, fmt.Errorf("target set weights: %w", err)
	}
	tz, err := json.Marshal(s.Timezone)
	if err != nil {
		return nil, fmt.Errorf("target set time zone: %w", err)
	}
	return audit.Fields{"timezone": tz, "weights": w}, nil
}

// targetField names a target in a set's audit record; a rep id is never empty, so "target"
// alone is the team's own.
func targetField(repID string) string {
	if repID == "" {
		return "target"
	}
	return "target." + repID
}

// fixedJSON is a target as the target API shows it (bullpen.Fixed's JSON).
func fixedJSON(f bullpen.Fixed) json.RawMessage {
	return json.RawMessage(f.String())
}
