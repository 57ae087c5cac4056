package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/simulate"
)

// floor is what the run seeds: the reps (the simulator's, so the events name them), the live
// contests, and a token for every phone and every screen.
type floor struct {
	reps     []*simulate.Rep
	contests []string
	repTok   []string // repTok[i] is reps[i]'s secret
	screens  []string // the displays' secrets
}

// rushContests are three live contests of the kinds a floor runs at once: revenue by rep, deals
// by team each week, activity points by rep each day. Every event counts in at least one, so
// the boards move all through the run.
func rushContests(now time.Time) []contest.Contest {
	start := now.Add(-24 * time.Hour).Truncate(time.Hour)
	end := now.Add(30 * 24 * time.Hour).Truncate(time.Hour)
	return []contest.Contest{
		{Name: "Morning revenue", Metric: contest.MetricRevenue, Scope: contest.ScopeRep,
			StartsAt: start, EndsAt: &end, Timezone: "UTC", Period: contest.PeriodNone},
		{Name: "Team deals this week", Metric: contest.MetricDeals, Scope: contest.ScopeTeam,
			StartsAt: start, EndsAt: &end, Timezone: "UTC", Period: contest.PeriodWeek},
		{Name: "Activity points today", Metric: contest.MetricPoints, Scope: contest.ScopeRep,
			Weights:  map[string]bullpen.Fixed{"deal.won": 1000, "call": 100, "meeting": 500, "demo": 500, contest.WeightRevenuePerPoint: 100000},
			StartsAt: start, EndsAt: &end, Timezone: "UTC", Period: contest.PeriodDay},
	}
}

// seed fills the directory with the generator's reps, stores the contests and mints the tokens
// (as POST /tokens stores them: the SHA-256 of the secret).
func seed(ctx context.Context, db *postgres.DB, reps []*simulate.Rep, screens int) (*floor, error) {
	f := &floor{reps: reps}
	ids, names, teams := make([]string, len(reps)), make([]string, len(reps)), make([]string, len(reps))
	for i, r := range reps {
		ids[i], names[i], teams[i] = r.ID, r.Name, r.Team
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO reps (rep_id, name, team_id)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`, ids, names, teams); err != nil {
		return nil, fmt.Errorf("fill the rep directory: %w", err)
	}
	var err error
	if f.contests, err = bench.StoreContests(ctx, db, rushContests(time.Now()), "rush"); err != nil {
		return nil, err
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	mint := func(role bullpen.Role, repID, name string) (string, error) {
		secret := bench.Name("bp_rush_") + bench.Name("")
		t := bullpen.Token{ID: bench.Name("tok_"), Role: role, RepID: repID, Name: name, CreatedBy: "rush"}
		return secret, postgres.InsertToken(ctx, tx, &t, bullpen.HashSecret(secret))
	}
	for _, r := range reps {
		s, err := mint(bullpen.RoleRep, r.ID, r.Name+"'s phone")
		if err != nil {
			return nil, err
		}
		f.repTok = append(f.repTok, s)
	}
	for i := range screens {
		s, err := mint(bullpen.RoleDisplay, "", fmt.Sprintf("screen %d", i+1))
		if err != nil {
			return nil, err
		}
		f.screens = append(f.screens, s)
	}
	return f, tx.Commit(ctx)
}

// putTargets gives every rep a revenue target for this month through the API (PUT /targets, as
// a manager would), so /reps/{id} and the reps' snapshots carry attainment.
func putTargets(ctx context.Context, base, admin string, reps []*simulate.Rep) error {
	month := time.Now().UTC().Format("2006-01")
	rows := make([]map[string]any, len(reps))
	for i, r := range reps {
		rows[i] = map[string]any{"period": month, "metric": "revenue", "team_id": r.Team, "rep_id": r.ID,
			"target": fmt.Sprintf("%d.00", 20000+1000*(i%40))}
	}
	body, _ := json.Marshal(rows)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/api/v1/targets", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		return fmt.Errorf("PUT /targets: %s %s", res.Status, b)
	}
	return nil
}
