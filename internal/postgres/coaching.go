package postgres

import (
	"context"
	"fmt"

	"bullpen/internal/bullpen"
	"bullpen/internal/coaching"
)

// CoachingTallies counts, per rep over r, what the coaching view is made of: the reps whose
// team in the directory is teamID (none for an empty one) and the rep repID (if not empty),
// by rep_id. Deals count by when they were won, for the rep that won them, at their current
// amount, and only while won; activities by when they occurred, whatever the rep's team was
// then. Each rep comes back once, with zeros when it did nothing in the range.
func (db *DB) CoachingTallies(ctx context.Context, teamID, repID string, r coaching.Range) ([]coaching.Tally, error) {
	rows, err := db.Pool.Query(ctx, `
		WITH members AS (
			SELECT rep_id, name, team_id FROM reps WHERE ($1 <> '' AND team_id = $1) OR rep_id = $2
		), wins AS (
			SELECT d.rep_id, count(*) AS n, sum(d.amount)::bigint AS amount
			FROM deals d JOIN members USING (rep_id)
			WHERE d.won AND d.won_at >= $3 AND d.won_at < $4
			GROUP BY d.rep_id
		), activities AS (
			SELECT rep_id, jsonb_object_agg(activity, n) AS by_name FROM (
				SELECT e.rep_id, e.activity, count(*) AS n
				FROM events e JOIN members USING (rep_id)
				WHERE e.type = 'activity' AND e.occurred_at >= $3 AND e.occurred_at < $4
				GROUP BY e.rep_id, e.activity) per_name
			GROUP BY rep_id
		)
		SELECT m.rep_id, m.name, m.team_id, coalesce(w.n, 0), coalesce(w.amount, 0), coalesce(a.by_name, '{}')
		FROM members m LEFT JOIN wins w USING (rep_id) LEFT JOIN activities a USING (rep_id)
		ORDER BY m.rep_id`, teamID, repID, r.From, r.To)
	if err != nil {
		return nil, fmt.Errorf("coaching tallies: %w", err)
	}
	defer rows.Close()
	out := []coaching.Tally{}
	for rows.Next() {
		var t coaching.Tally
		var amount int64
		if err := rows.Scan(&t.Rep.RepID, &t.Rep.Name, &t.Rep.TeamID, &t.DealsWon, &amount, &t.Activities); err != nil {
			return nil, fmt.Errorf("coaching tallies: %w", err)
		}
		t.AmountWon = bullpen.Fixed(amount)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coaching tallies: %w", err)
	}
	return out, nil
}
