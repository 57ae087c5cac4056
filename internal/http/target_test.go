package http_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/target"
)

// targetRow is a row of GET /targets as a client reads it.
type targetRow struct {
	Period    string   `json:"period"`
	Metric    string   `json:"metric"`
	TeamID    string   `json:"team_id"`
	RepID     string   `json:"rep_id"`
	Target    float64  `json:"target"`
	Timezone  string   `json:"timezone"`
	UpdatedBy string   `json:"updated_by"`
	Derived   bool     `json:"derived"`
	Value     float64  `json:"value"`
	Pct       *float64 `json:"pct"`
}

type targetOutcome struct {
	Created, Updated, Unchanged int
	Items                       []targetRow
}

// now is when the tests' events happen: a moment ago, so the current period holds them.
func (e *env) nowPeriod() (at string, month string) {
	t := time.Now().Add(-time.Second).UTC()
	m, _ := target.PeriodsAt(t, time.UTC)
	return t.Format(time.RFC3339Nano), m
}

// mustApplyProjected records events in the ledger as the consumer does and writes the
// attainment they moved into the projection.
func (e *env) mustApplyProjected(raws ...string) {
	e.t.Helper()
	if err := e.store.SetAttainment(context.Background(), e.mustApply(raws...).Attainment); err != nil {
		e.t.Fatal(err)
	}
}

// seedFloor puts ana and bo in east, cy in west, with deals won a moment ago: ana 1,200.50,
// bo 300, cy 50.
func (e *env) seedFloor() (month string) {
	at, month := e.nowPeriod()
	won := func(id, rep, team, deal, amount string) string {
		return fmt.Sprintf(`{"event_id":%q,"type":"deal.won","occurred_at":%q,"rep_id":%q,"rep_name":%q,"team_id":%q,"deal_id":%q,"amount":%s}`,
			id, at, rep, strings.ToUpper(rep[:1])+rep[1:], team, deal, amount)
	}
	e.mustApplyProjected(won("s1", "ana", "east", "D1", "1200.50"), won("s2", "bo", "east", "D2", "300"), won("s3", "cy", "west", "D3", "50"))
	return month
}

func TestPutTargetsIsIdempotentAndRecordsTheToken(t *testing.T) {
	e := newEnv(t)
	month := e.seedFloor()
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	body := []map[string]any{
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "ana", "target": "2000.00"},
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "bo", "target": 1000},
		{"period": month, "metric": "deals", "team_id": "west", "target": 4, "timezone": "Europe/Berlin"},
	}
	var out targetOutcome
	e.do("PUT", "/api/v1/targets", mgr.Token, body).Want(t, 200, &out)
	if out.Created != 3 || out.Updated != 0 || out.Unchanged != 0 || len(out.Items) != 3 {
		t.Fatalf("first write %+v", out)
	}
	if it := out.Items[2]; it.TeamID != "west" || it.RepID != "" || it.Target != 4 || it.Timezone != "Europe/Berlin" || it.UpdatedBy != mgr.ID {
		t.Fatalf("the team's own row %+v", it)
	}
	if it := out.Items[0]; it.Timezone != "UTC" || it.UpdatedBy != mgr.ID {
		t.Fatalf("a rep's row in a new set without a time zone %+v", it)
	}
	e.do("PUT", "/api/v1/targets", adminSecret, body).Want(t, 200, &out)
	if out.Created != 0 || out.Updated != 0 || out.Unchanged != 3 || out.Items[0].UpdatedBy != mgr.ID {
		t.Fatalf("the same body again %+v", out)
	}
	body[1]["target"] = "1500"
	e.do("PUT", "/api/v1/targets", adminSecret, body).Want(t, 200, &out)
	if out.Created != 0 || out.Updated != 1 || out.Unchanged != 2 || out.Items[1].UpdatedBy != bullpen.AdminTokenID || out.Items[1].Target != 1500 {
		t.Fatalf("one target changed %+v", out)
	}
	var byMgr, byAdmin int
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE by = $1), count(*) FILTER (WHERE by = 'admin')
		FROM changes WHERE action = 'targets.put'`, mgr.ID).Scan(&byMgr, &byAdmin); err != nil {
		t.Fatal(err)
	}
	if byMgr != 2 || byAdmin != 1 { // two sets written by the manager; the admin changed one set, repeated nothing
		t.Fatalf("audit trail: %d by the manager, %d by the admin", byMgr, byAdmin)
	}
}

func TestPutTargetsRefusesBadRowsNamingThem(t *testing.T) {
	e := newEnv(t)
	month := e.seedFloor()
	row := func(mod map[string]any) map[string]any {
		r := map[string]any{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "ana", "target": 100}
		for k, v := range mod {
			if v == nil {
				delete(r, k)
			} else {
				r[k] = v
			}
		}
		return r
	}
	ok := row(map[string]any{"rep_id": "bo"})
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"negative target", []any{ok, row(map[string]any{"target": -1})}, "1.target"},
		{"no target", []any{row(map[string]any{"target": nil})}, "0.target"},
		{"target not a number", []any{row(map[string]any{"target": "lots"})}, "0.target"},
		{"unknown metric", []any{row(map[string]any{"metric": "calls"})}, "0.metric"},
		{"unknown period", []any{row(map[string]any{"period": "2026-13"})}, "0.period"},
		{"a week is no period", []any{row(map[string]any{"period": "2026-W05"})}, "0.period"},
		{"team not in the directory", []any{row(map[string]any{"team_id": "north", "rep_id": nil})}, "0.team_id"},
		{"rep of another team", []any{ok, row(map[string]any{"rep_id": "cy"})}, "1.team_id"},
		{"rep not in the directory", []any{row(map[string]any{"rep_id": "zed"})}, "0.rep_id"},
		{"time zones disagree", []any{row(map[string]any{"timezone": "Europe/Berlin"}), row(map[string]any{"rep_id": "bo", "timezone": "UTC"})}, "1.timezone"},
		{"unknown time zone", []any{row(map[string]any{"timezone": "Mars/Olympus"})}, "0.timezone"},
		{"weights off points", []any{row(map[string]any{"weights": map[string]any{"call": 1}})}, "0.weights"},
		{"points without weights", []any{row(map[string]any{"metric": "points"})}, "0.weights"},
		{"negative weight", []any{row(map[string]any{"metric": "points", "weights": map[string]any{"call": -1}})}, "0.weights.call"},
		{"the same target twice", []any{ok, row(map[string]any{"rep_id": "bo"})}, "1.rep_id"},
		{"unknown member", []any{row(map[string]any{"quota": 1})}, "0.quota"},
		{"empty", []any{}, ""},
		{"not an array", map[string]any{"period": month}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.do("PUT", "/api/v1/targets", adminSecret, tc.body).WantError(t, 400, bullpen.EInvalid, tc.field)
		})
	}
	var list struct{ Items []targetRow }
	e.do("GET", "/api/v1/targets?period="+month, adminSecret, nil).Want(t, 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a refused request left targets behind: %+v", list.Items)
	}
}

func TestPutTargetsFromCSVIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	month := e.seedFloor()
	bad := "period,metric,team_id,rep_id,target\n" +
		month + ",revenue,east,ana,100\n" +
		month + ",revenue,east,bo,-5\n"
	e.do("PUT", "/api/v1/targets", adminSecret, bad, "Content-Type", "text/csv").WantError(t, 400, bullpen.EInvalid, "line 3, column target")
	notNumber := "period,metric,team_id,rep_id,target\n" + month + ",revenue,east,ana,100\n\n" + month + ",revenue,east,bo,1e3\n"
	e.do("PUT", "/api/v1/targets", adminSecret, notNumber, "Content-Type", "text/csv").WantError(t, 400, bullpen.EInvalid, "line 4, column target")
	e.do("PUT", "/api/v1/targets", adminSecret, "period,metric,team,target\n", "Content-Type", "text/csv").
		WantError(t, 400, bullpen.EInvalid, "line 1, column team")
	e.do("PUT", "/api/v1/targets", adminSecret, "period,metric,team_id,target\n"+month+",revenue,east,1\n", "Content-Type", "text/plain").
		WantError(t, 415, bullpen.EInvalid, "Content-Type")
	var list struct{ Items []targetRow }
	e.do("GET", "/api/v1/targets?period="+month, adminSecret, nil).Want(t, 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a refused file left targets behind: %+v", list.Items)
	}

	good := "team_id,rep_id,period,metric,target,timezone,weights\r\n" +
		"east,ana," + month + ",revenue,2401,,\r\n" +
		"east,," + month + ",revenue,5000,,\r\n" +
		"east,bo," + month + ",points,10,America/New_York,\"{\"\"deal.won\"\": 2, \"\"revenue_per_point\"\": 100}\"\r\n"
	var out targetOutcome
	e.do("PUT", "/api/v1/targets", adminSecret, good, "Content-Type", "text/csv; charset=utf-8").Want(t, 200, &out)
	if out.Created != 3 || len(out.Items) != 3 || out.Items[2].Timezone != "America/New_York" {
		t.Fatalf("outcome %+v", out)
	}
	list.Items = nil
	e.do("GET", "/api/v1/targets?period="+month+"&metric=points", adminSecret, nil).Want(t, 200, &list)
	// bo's 300 won: 2 points for the win and 300/100 = 3 for its revenue. The team counts ana's
	// deal too (2 + 1200.50/100 = 14.01 points), though only bo has a target: 19.01 of 10.
	if got := rowsOf(list.Items); strings.Join(got, " ") != "east//10/true/19.01/190.1 east/bo/10/false/5/50" {
		t.Fatalf("points set %v", got)
	}
}

func TestTargetsShowAttainmentToWhoMaySeeIt(t *testing.T) {
	e := newEnv(t)
	month := e.seedFloor()
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "ana", "target": 2401},
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "bo", "target": 1000},
		{"period": month, "metric": "revenue", "team_id": "west", "rep_id": "cy", "target": 0},
	}).Want(t, 200, nil)

	var list struct{ Items []targetRow }
	e.do("GET", "/api/v1/targets?team_id=east", adminSecret, nil).Want(t, 200, &list)
	// The set was created after the deals: it counts the period so far. ana 1200.50 of 2401 is
	// 50.00 %; the team's 1500.50 of the sum 3401 is 44.12 %.
	want := []string{"east//3401/true/1500.5/44.12", "east/ana/2401/false/1200.5/50", "east/bo/1000/false/300/30"}
	if got := rowsOf(list.Items); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("east: %v, want %v", got, want)
	}
	list.Items = nil
	e.do("GET", "/api/v1/targets?team_id=west&period=current", adminSecret, nil).Want(t, 200, &list)
	if len(list.Items) != 2 || list.Items[1].Pct != nil {
		t.Fatalf("a target of 0 has no percent: %+v", list.Items)
	}

	bo := e.mustMint(adminSecret, bullpen.RoleRep, "bo")
	list.Items = nil
	e.do("GET", "/api/v1/targets", bo.Token, nil).Want(t, 200, &list)
	if got := rowsOf(list.Items); strings.Join(got, " ") != "east//3401/true/1500.5/44.12 east/bo/1000/false/300/30" {
		t.Fatalf("bo sees %v", got)
	}
	e.do("GET", "/api/v1/targets?rep_id=ana", bo.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	list.Items = nil
	e.do("GET", "/api/v1/targets?rep_id=ana", display.Token, nil).Want(t, 200, &list)
	if got := rowsOf(list.Items); strings.Join(got, " ") != "east/ana/2401/false/1200.5/50" {
		t.Fatalf("a display asking for ana sees %v", got)
	}
	e.do("PUT", "/api/v1/targets", bo.Token, []map[string]any{}).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/targets?period=2026-W1", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "period")

	var page struct {
		Attainment []struct {
			Period string
			Metric string
			Value  float64
			Target float64
			Pct    float64
		}
	}
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	e.do("GET", "/api/v1/reps/ana", ana.Token, nil).Want(t, 200, &page)
	if len(page.Attainment) != 1 || page.Attainment[0].Period != month || page.Attainment[0].Value != 1200.5 || page.Attainment[0].Pct != 50 {
		t.Fatalf("ana's page %+v", page)
	}
	e.do("GET", "/api/v1/reps/ana", bo.Token, nil).Want(t, 200, &page)
	if len(page.Attainment) != 0 {
		t.Fatalf("bo sees ana's targets: %+v", page)
	}
}

func TestDeleteTargetRemovesTheLastOneWithItsSet(t *testing.T) {
	e := newEnv(t)
	month := e.seedFloor()
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "ana", "target": 100},
		{"period": month, "metric": "revenue", "team_id": "east", "target": 500},
	}).Want(t, 200, nil)
	q := "/api/v1/targets?period=" + month + "&metric=revenue&team_id=east"
	e.do("DELETE", q, adminSecret, nil).Want(t, 204, nil)
	var list struct{ Items []targetRow }
	e.do("GET", "/api/v1/targets?period="+month, adminSecret, nil).Want(t, 200, &list)
	if got := rowsOf(list.Items); strings.Join(got, " ") != "east//100/true/1500.5/1500.5 east/ana/100/false/1200.5/1200.5" {
		t.Fatalf("after removing the team's own target: %v", got)
	}
	e.do("DELETE", q, adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("DELETE", q+"&rep_id=ana", adminSecret, nil).Want(t, 204, nil)
	var sets int
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM target_sets`).Scan(&sets); err != nil {
		t.Fatal(err)
	}
	if sets != 0 {
		t.Fatalf("%d sets left after their last target", sets)
	}
	e.do("DELETE", "/api/v1/targets?period="+month+"&team_id=east", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "metric")
}

func rowsOf(items []targetRow) []string {
	out := make([]string, len(items))
	for i, it := range items {
		pct := "null"
		if it.Pct != nil {
			pct = fmt.Sprint(*it.Pct)
		}
		out[i] = fmt.Sprintf("%s/%s/%v/%v/%v/%s", it.TeamID, it.RepID, it.Target, it.Derived, it.Value, pct)
	}
	return out
}

func TestTargetListNamesEachRepFromTheDirectory(t *testing.T) {
	e := newEnv(t)
	month := e.seedFloor()
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "bo", "target": 1000},
		{"period": month, "metric": "revenue", "team_id": "east", "target": 5000},
		{"period": month, "metric": "deals", "team_id": "east", "rep_id": "bo", "target": 2},
		{"period": month, "metric": "deals", "team_id": "west", "rep_id": "cy", "target": 3},
	}).Want(t, 200, nil)

	var list struct {
		Items []struct {
			Metric string `json:"metric"`
			TeamID string `json:"team_id"`
			RepID  string `json:"rep_id"`
			Name   *string
		}
	}
	e.do("GET", "/api/v1/targets?period="+month, adminSecret, nil).Want(t, 200, &list)
	var got []string
	for _, it := range list.Items {
		name := "-"
		if it.Name != nil {
			name = *it.Name
		}
		got = append(got, it.Metric+"/"+it.TeamID+"/"+it.RepID+"/"+name)
	}
	// seedFloor names the reps from their ids (Bo, Cy); team lines carry no name.
	want := "deals/east//- deals/east/bo/Bo deals/west//- deals/west/cy/Cy revenue/east//- revenue/east/bo/Bo"
	if strings.Join(got, " ") != want {
		t.Fatalf("rows %v, want %s", got, want)
	}
}
