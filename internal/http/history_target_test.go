package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
)

// targetClock is the time of the target history tests: mid-February 2026.
var targetClock = time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)

// mustTargetHistory gives ana targets over five months (March is still to come) and two
// quarters, with deals at the edges of the months' time zones, an update and a reversal of deals
// won in past periods, and teams east and west in January. Hand-worked, in each set's zone:
//
//	revenue 2025-11 UTC  ana 1000  D1 won 500.00, updated to 750.00 in February   750.00  75.00%
//	revenue 2025-12 UTC  ana 2000  D2 1234.56 at 23:59:59 on the 31st, reversed
//	                               in February; D6 800.00                         800.00  40.00%
//	revenue 2026-01 NY   ana 2400  D3 at 2026-01-01T00:00Z (still December in New
//	                               York); D4 at 23:30 on 31 January New York time
//	                               (1 February in UTC) 2000.00                   2000.00  83.33%
//	                     bo   100  D7 99.99                                        99.99  99.99%
//	revenue 2026-02 UTC  ana 1000  D4 (February in UTC) 2000.00 + D5 150.00       2150.00 215.00%
//	revenue 2026-03 UTC  ana 5000  not begun: left out
//	deals 2025-Q4 UTC    ana 3     D1, D6 (D2 reversed)                              2     66.67%
//	deals 2026-Q1 UTC    ana 0     D3, D4, D5                                        3     none
//	deals 2026-01 UTC    west 5 (own), cy 2: cy's D8 and dee's D9 (dee has no target)
func (e *env) mustTargetHistory() {
	e.t.Helper()
	e.db.Grace = 100_000 * time.Hour // the past periods' events arrive now and still count
	type deal struct{ id, typ, rep, team, deal, amount, at string }
	raws := []string{}
	for _, d := range []deal{
		{"e1", "deal.won", "ana", "east", "D1", "500.00", "2025-11-20T10:00:00Z"},
		{"e2", "deal.won", "ana", "east", "D2", "1234.56", "2025-12-31T23:59:59Z"},
		{"e3", "deal.won", "ana", "east", "D3", "100.00", "2026-01-01T00:00:00Z"},
		{"e4", "deal.won", "ana", "east", "D4", "2000.00", "2026-01-31T23:30:00-05:00"},
		{"e5", "deal.won", "ana", "east", "D5", "150.00", "2026-02-05T10:00:00Z"},
		{"e6", "deal.reversed", "ana", "east", "D2", "", "2026-02-06T10:00:00Z"},
		{"e7", "deal.won", "ana", "east", "D6", "800.00", "2025-12-10T10:00:00Z"},
		{"e8", "deal.updated", "ana", "east", "D1", "750.00", "2026-02-07T10:00:00Z"},
		{"e9", "deal.won", "bo", "east", "D7", "99.99", "2026-01-15T10:00:00Z"},
		{"e10", "deal.won", "cy", "west", "D8", "300.00", "2026-01-20T10:00:00Z"},
		{"e11", "deal.won", "dee", "west", "D9", "50.00", "2026-01-21T10:00:00Z"},
	} {
		name := map[string]string{"ana": "Ana", "bo": "Bo", "cy": "=cy()", "dee": "Dee"}[d.rep]
		amount := ""
		if d.amount != "" {
			amount = fmt.Sprintf(`,"amount":%s`, d.amount)
		}
		raws = append(raws, fmt.Sprintf(`{"event_id":%q,"type":%q,"occurred_at":%q,"rep_id":%q,"rep_name":%q,"team_id":%q,"deal_id":%q%s}`,
			d.id, d.typ, d.at, d.rep, name, d.team, d.deal, amount))
	}
	e.mustApply(raws...)
	row := func(period, metric, team, rep string, target int, tz string) map[string]any {
		r := map[string]any{"period": period, "metric": metric, "team_id": team, "target": target}
		if rep != "" {
			r["rep_id"] = rep
		}
		if tz != "" {
			r["timezone"] = tz
		}
		return r
	}
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{
		row("2025-11", "revenue", "east", "ana", 1000, "UTC"),
		row("2025-12", "revenue", "east", "ana", 2000, "UTC"),
		row("2026-01", "revenue", "east", "ana", 2400, "America/New_York"),
		row("2026-01", "revenue", "east", "bo", 100, ""),
		row("2026-02", "revenue", "east", "ana", 1000, "UTC"),
		row("2026-03", "revenue", "east", "ana", 5000, "UTC"),
		row("2025-Q4", "deals", "east", "ana", 3, "UTC"),
		row("2026-Q1", "deals", "east", "ana", 0, "UTC"),
		row("2026-01", "deals", "west", "", 5, "UTC"),
		row("2026-01", "deals", "west", "cy", 2, ""),
	}).Want(e.t, 200, nil)
}

func atClock(d *httpapi.Deps) { d.Now = func() time.Time { return targetClock } }

type repTargetView struct {
	Period   string    `json:"period"`
	Kind     string    `json:"kind"`
	Metric   string    `json:"metric"`
	TeamID   string    `json:"team_id"`
	Timezone string    `json:"timezone"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Current  bool      `json:"current"`
	Value    float64   `json:"value"`
	Target   float64   `json:"target"`
	Pct      *float64  `json:"pct"`
}

func (v repTargetView) String() string {
	pct := "none"
	if v.Pct != nil {
		pct = fmt.Sprint(*v.Pct)
	}
	now := ""
	if v.Current {
		now = " now"
	}
	return fmt.Sprintf("%s %s %s %s/%s %v of %v %s%s", v.Metric, v.Kind, v.Period, v.TeamID, v.Timezone, v.Value, v.Target, pct, now)
}

func targetLines(vs []repTargetView) string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	return strings.Join(lines, "\n")
}

func TestRepHistoryGivesTargetAndAttainmentPerPeriod(t *testing.T) {
	e := newEnv(t, atClock)
	e.mustTargetHistory()
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	var v struct {
		Contests []any           `json:"contests"`
		Targets  []repTargetView `json:"targets"`
	}
	e.do("GET", "/api/v1/reps/ana/history", ana.Token, nil).Want(t, 200, &v)
	want := strings.Join([]string{
		"deals quarter 2026-Q1 east/UTC 3 of 0 none now",
		"deals quarter 2025-Q4 east/UTC 2 of 3 66.67",
		"revenue month 2026-02 east/UTC 2150 of 1000 215 now",
		"revenue month 2026-01 east/America/New_York 2000 of 2400 83.33",
		"revenue month 2025-12 east/UTC 800 of 2000 40",
		"revenue month 2025-11 east/UTC 750 of 1000 75",
	}, "\n")
	if got := targetLines(v.Targets); got != want {
		t.Fatalf("ana's targets\n%s\nwant\n%s", got, want)
	}
	if len(v.Contests) != 0 {
		t.Fatalf("contests %v", v.Contests)
	}
	jan := v.Targets[3]
	if !jan.Start.Equal(time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC)) || !jan.End.Equal(time.Date(2026, 2, 1, 5, 0, 0, 0, time.UTC)) {
		t.Fatalf("January in New York runs %v – %v", jan.Start, jan.End)
	}

	// periods cuts each series to its newest periods.
	e.do("GET", "/api/v1/reps/ana/history?periods=1", adminSecret, nil).Want(t, 200, &v)
	if got := targetLines(v.Targets); got != "deals quarter 2026-Q1 east/UTC 3 of 0 none now\nrevenue month 2026-02 east/UTC 2150 of 1000 215 now" {
		t.Fatalf("one period:\n%s", got)
	}
	// bo sees its own target only; a rep without targets has an empty list.
	e.do("GET", "/api/v1/reps/bo/history", adminSecret, nil).Want(t, 200, &v)
	if got := targetLines(v.Targets); got != "revenue month 2026-01 east/America/New_York 99.99 of 100 99.99" {
		t.Fatalf("bo's targets:\n%s", got)
	}
	e.do("GET", "/api/v1/reps/dee/history", adminSecret, nil).Want(t, 200, &v)
	if v.Targets == nil || len(v.Targets) != 0 {
		t.Fatalf("dee's targets %+v", v.Targets)
	}
	e.do("GET", "/api/v1/reps/ana/history", e.mustMint(adminSecret, bullpen.RoleRep, "bo").Token, nil).WantError(t, 403, bullpen.EPermission, "")
}

func TestAttainmentExportListsEachSetsTeamThenItsReps(t *testing.T) {
	e := newEnv(t, atClock)
	e.mustTargetHistory()
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	res := e.do("GET", "/api/v1/exports/attainment.csv?period=2026-01", mgr.Token, nil)
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="attainment_2026-01.csv"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	columns := []string{"period", "period_start", "period_end", "timezone", "metric", "team_id", "scope",
		"rep_id", "rep_name", "target", "target_derived", "value", "pct", "currency"}
	rows := mustCSV(t, res, columns)
	utc := []string{"2026-01", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "UTC"}
	ny := []string{"2026-01", "2026-01-01T05:00:00Z", "2026-02-01T05:00:00Z", "America/New_York"}
	line := func(head []string, rest ...string) []string { return append(append([]string{}, head...), rest...) }
	want := [][]string{
		// West's own target of 5 deals; its value counts dee, who has no target: 2 of 5.
		line(utc, "deals", "west", "team", "", "", "5.00", "false", "2.00", "40.00", ""),
		// A name that would start a formula is text in a spreadsheet.
		line(utc, "deals", "west", "rep", "cy", "'=cy()", "2.00", "false", "1.00", "50.00", ""),
		// East has no target of its own: 2400 + 100; 2099.99 of 2500 is 83.9996 %.
		line(ny, "revenue", "east", "team", "", "", "2500.00", "true", "2099.99", "84.00", "USD"),
		line(ny, "revenue", "east", "rep", "ana", "Ana", "2400.00", "false", "2000.00", "83.33", "USD"),
		line(ny, "revenue", "east", "rep", "bo", "Bo", "100.00", "false", "99.99", "99.99", "USD"),
	}
	if fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", want) {
		t.Fatalf("rows\n%q\nwant\n%q", rows, want)
	}

	res = e.do("GET", "/api/v1/exports/attainment.csv?period=2026-01&team_id=west", mgr.Token, nil)
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="attainment_2026-01_west.csv"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if rows := mustCSV(t, res, columns); fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", want[:2]) {
		t.Fatalf("west's rows %q", rows)
	}
	// A quarter; a period without sets is the header alone.
	q4 := []string{"2025-Q4", "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z", "UTC", "deals", "east"}
	rows = mustCSV(t, e.do("GET", "/api/v1/exports/attainment.csv?period=2025-Q4", mgr.Token, nil), columns)
	want = [][]string{line(q4, "team", "", "", "3.00", "true", "2.00", "66.67", ""), line(q4, "rep", "ana", "Ana", "3.00", "false", "2.00", "66.67", "")}
	if fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", want) {
		t.Fatalf("the quarter's rows\n%q\nwant\n%q", rows, want)
	}
	if rows := mustCSV(t, e.do("GET", "/api/v1/exports/attainment.csv?period=2024-05", mgr.Token, nil), columns); len(rows) != 0 {
		t.Fatalf("a period without targets: %q", rows)
	}
}

func TestAttainmentExportRefusesBadInputAndNonStaff(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana")
	for _, tc := range []struct{ query, field string }{
		{"", "period"},
		{"?period=", "period"},
		{"?period=2026-13", "period"},
		{"?period=2026-Q5", "period"},
		{"?period=2026-01-01", "period"},
		{"?period=current", "period"},
		{"?period=2026-01&team_id=" + strings.Repeat("x", 101), "team_id"},
		{"?period=2026-01&team_id=a%00b", "team_id"},
	} {
		e.do("GET", "/api/v1/exports/attainment.csv"+tc.query, adminSecret, nil).WantError(t, 400, bullpen.EInvalid, tc.field)
	}
	for _, role := range []bullpen.Role{bullpen.RoleRep, bullpen.RoleDisplay, bullpen.RoleIngest} {
		repID := ""
		if role == bullpen.RoleRep {
			repID = "ana"
		}
		e.do("GET", "/api/v1/exports/attainment.csv?period=2026-01", e.mustMint(adminSecret, role, repID).Token, nil).WantError(t, 403, bullpen.EPermission, "")
	}
}
