package target_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/target"
)

var dir = target.Directory{
	Teams: map[string]bool{"east": true, "west": true},
	Reps:  map[string]bullpen.Rep{"ana": {RepID: "ana", TeamID: "east"}, "bo": {RepID: "bo", TeamID: "east"}, "cy": {RepID: "cy", TeamID: "west"}},
}

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var e *bullpen.Error
	if !errors.As(err, &e) || e.Code != bullpen.EInvalid {
		t.Fatalf("%v is no invalid_argument", err)
	}
	return e.Field
}

func TestPlanNamesTheFirstBadRow(t *testing.T) {
	ok := target.Target{Period: "2026-12", Metric: "revenue", TeamID: "east", RepID: "ana", Target: 100}
	with := func(f func(*target.Target)) target.Target { r := ok; f(&r); return r }
	w := map[string]bullpen.Fixed{"deal.won": 100}
	cases := []struct {
		name  string
		rows  []target.Target
		field string
	}{
		{"negative", []target.Target{with(func(r *target.Target) { r.Target = -1 })}, "0.target"},
		{"too large", []target.Target{with(func(r *target.Target) { r.Target = bullpen.FixedLimit })}, "0.target"},
		{"no period", []target.Target{with(func(r *target.Target) { r.Period = "" })}, "0.period"},
		{"a day is no period", []target.Target{with(func(r *target.Target) { r.Period = "2026-12-01" })}, "0.period"},
		{"unknown metric", []target.Target{with(func(r *target.Target) { r.Metric = "calls" })}, "0.metric"},
		{"no team", []target.Target{with(func(r *target.Target) { r.TeamID = "" })}, "0.team_id"},
		{"NUL in a team", []target.Target{with(func(r *target.Target) { r.TeamID = "ea\x00st" })}, "0.team_id"},
		{"a tab in a team", []target.Target{with(func(r *target.Target) { r.TeamID = "ea\tst" })}, "0.team_id"},
		{"NUL in a rep", []target.Target{with(func(r *target.Target) { r.RepID = "a\x00na" })}, "0.rep_id"},
		{"unknown team", []target.Target{ok, with(func(r *target.Target) { r.TeamID, r.RepID = "north", "" })}, "1.team_id"},
		{"rep in another team", []target.Target{with(func(r *target.Target) { r.RepID = "cy" })}, "0.team_id"},
		{"unknown rep", []target.Target{with(func(r *target.Target) { r.RepID = "zed" })}, "0.rep_id"},
		{"twice", []target.Target{ok, ok}, "1.rep_id"},
		{"team twice", []target.Target{with(func(r *target.Target) { r.RepID = "" }), with(func(r *target.Target) { r.RepID = "" })}, "1.team_id"},
		{"time zones disagree", []target.Target{with(func(r *target.Target) { r.Timezone = "Europe/Berlin" }),
			with(func(r *target.Target) { r.RepID, r.Timezone = "bo", "Europe/Paris" })}, "1.timezone"},
		{"Local", []target.Target{with(func(r *target.Target) { r.Timezone = "Local" })}, "0.timezone"},
		{"weights off points", []target.Target{with(func(r *target.Target) { r.Weights = w })}, "0.weights"},
		{"points without weights", []target.Target{with(func(r *target.Target) { r.Metric = "points" })}, "0.weights"},
		{"zero revenue_per_point", []target.Target{with(func(r *target.Target) {
			r.Metric, r.Weights = "points", map[string]bullpen.Fixed{"revenue_per_point": 0}
		})}, "0.weights.revenue_per_point"},
		{"weights disagree", []target.Target{with(func(r *target.Target) { r.Metric, r.Weights = "points", w }),
			with(func(r *target.Target) {
				r.Metric, r.RepID, r.Weights = "points", "bo", map[string]bullpen.Fixed{"deal.won": 200}
			})}, "1.weights"},
		{"nothing", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := target.Plan(&target.Request{Rows: tc.rows}, nil, "UTC", dir)
			if got := fieldOf(t, err); got != tc.field {
				t.Fatalf("field %q (%v), want %q", got, err, tc.field)
			}
		})
	}
}

func TestPlanGroupsRowsIntoSetsWithTheirRules(t *testing.T) {
	w := map[string]bullpen.Fixed{"deal.won": 100, "call": 50}
	stored := map[target.SetKey]*target.Set{
		{Period: "2026-Q4", Metric: "points", TeamID: "east"}: {ID: 7, Period: "2026-Q4", Metric: "points", TeamID: "east", Timezone: "Europe/Berlin", Weights: w},
	}
	rows := []target.Target{
		{Period: "2026-12", Metric: "revenue", TeamID: "east", RepID: "ana", Target: 100},
		{Period: "2026-Q4", Metric: "points", TeamID: "east", RepID: "bo", Target: 5},
		{Period: "2026-12", Metric: "revenue", TeamID: "east", Target: 500, Timezone: "America/New_York"},
		{Period: "2026-Q4", Metric: "points", TeamID: "east", RepID: "ana", Target: 6, Weights: w},
		{Period: "2026-Q4", Metric: "deals", TeamID: "west", Target: 1, Timezone: "Europe/Berlin"},
	}
	changes, err := target.Plan(&target.Request{Rows: rows}, stored, "UTC", dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 {
		t.Fatalf("%d sets", len(changes))
	}
	dec, q4, west := changes[0], changes[1], changes[2]
	if dec.Set.Timezone != "America/New_York" || len(dec.Rows) != 2 || !dec.Recount || dec.Set.ID != 0 ||
		!dec.Set.Start.Equal(time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("December's revenue set %+v", dec)
	}
	if q4.Set.ID != 7 || q4.Set.Timezone != "Europe/Berlin" || q4.Recount || len(q4.Rows) != 2 {
		t.Errorf("the stored quarter set, same rules %+v", q4)
	}
	if west.Set.Timezone != "Europe/Berlin" || !west.Set.End.Equal(time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("west %+v", west)
	}
	rows[1].Weights = map[string]bullpen.Fixed{"deal.won": 100, "call": 75}
	rows[3].Weights = rows[1].Weights
	changes, err = target.Plan(&target.Request{Rows: rows}, stored, "UTC", dir)
	if err != nil || !changes[1].Recount {
		t.Fatalf("new weights must count the set again: %v %+v", err, changes)
	}
}

func TestCSVErrorsNameLineAndColumn(t *testing.T) {
	cases := []struct {
		name, body, field string
	}{
		{"no header", "", "line 1"},
		{"unknown column", "period,metric,team,target\n", "line 1, column team"},
		{"missing column", "period,metric,team_id\n", "line 1, column target"},
		{"column twice", "period,metric,team_id,target,target\n", "line 1, column target"},
		{"no rows", "period,metric,team_id,target\n", "line 2"},
		{"short line", "period,metric,team_id,target\n2026-12,revenue,east\n", "line 2"},
		{"bad target", "period,metric,team_id,target\n2026-12,revenue,east,1\n\n2026-12,revenue,west,12.345\n", "line 4, column target"},
		{"bad weights", "period,metric,team_id,target,weights\n2026-12,points,east,1,{call: 1}\n", "line 2, column weights"},
		{"quoted newline counts", "period,metric,team_id,rep_id,target\n2026-12,revenue,east,\"a\nb\",1\n2026-12,revenue,east,ana,x\n", "line 4, column target"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := target.ParseCSV(strings.NewReader(tc.body))
			if got := fieldOf(t, err); got != tc.field {
				t.Fatalf("field %q (%v), want %q", got, err, tc.field)
			}
		})
	}
	// Errors found after parsing name the line too.
	req, err := target.ParseCSV(strings.NewReader("\ufeffrep_id,team_id,period,metric,target\r\nana,east,2026-12,revenue,10\r\ncy,east,2026-12,revenue,10\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Rows) != 2 || req.Rows[0].RepID != "ana" || req.Rows[0].Target != 1000 {
		t.Fatalf("rows %+v", req.Rows)
	}
	_, err = target.Plan(req, nil, "UTC", dir)
	if got := fieldOf(t, err); got != "line 3, column team_id" {
		t.Fatalf("field %q", got)
	}
}
