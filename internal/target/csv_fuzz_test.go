package target_test

import (
	"errors"
	"strings"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/target"
)

// FuzzImportCSV holds a CSV import to its rules on any bytes: a refusal is an invalid_argument
// naming a line (and a column, where a cell is at fault), and a file that passes both reading
// and planning writes only rows that can be stored and counted: a known period and metric, a
// target of 0 or more, text PostgreSQL can hold, a team the directory knows, and a rep only in
// its own team.
func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		"period,metric,team_id,rep_id,target\n2026-12,revenue,east,r-1,50000\n2026-12,revenue,east,,120000.50\n",
		"period,metric,team_id,rep_id,target,timezone,weights\n2026-Q4,points,east,r-1,900,Europe/Berlin,\"{\"\"call\"\":\"\"1\"\",\"\"deal.won\"\":\"\"10\"\"}\"\n",
		"\ufeffperiod,metric,team_id,target\n2026-12,deals,east,12\n",
		"period,metric,team_id,rep_id,target\n2026-13,revenue,east,r-1,5\n",
		"period,metric,team_id,rep_id,target\n2026-12,revenue,west,r-1,5\n",
		"period,metric,team_id,rep_id,target\n2026-12,revenue,east,r-1,-5\n",
		"period,metric,team_id,rep_id,target\n2026-12,revenue,east,r-1,\"5\n",
		"period,metric\n", "", "period,metric,team_id,target,target\n",
	} {
		f.Add([]byte(s))
	}
	dir := target.Directory{Teams: map[string]bool{"east": true, "west": true},
		Reps: map[string]bullpen.Rep{"r-1": {RepID: "r-1", TeamID: "east"}, "r-2": {RepID: "r-2", TeamID: "west"}}}
	f.Fuzz(func(t *testing.T, file []byte) {
		req, err := target.ParseCSV(strings.NewReader(string(file)))
		if err == nil {
			_, err = target.Plan(req, map[target.SetKey]*target.Set{}, "UTC", dir)
			if err == nil {
				checkRows(t, req, dir)
				return
			}
		}
		var be *bullpen.Error
		if !errors.As(err, &be) || be.Code != bullpen.EInvalid || !strings.HasPrefix(be.Field, "line ") {
			t.Fatalf("a CSV refusal that names no line: %v", err)
		}
	})
}

func checkRows(t *testing.T, req *target.Request, dir target.Directory) {
	t.Helper()
	for _, r := range req.Rows {
		if _, err := target.ParsePeriod(r.Period); err != nil {
			t.Fatalf("accepted period %q", r.Period)
		}
		switch r.Metric {
		case contest.MetricRevenue, contest.MetricDeals, contest.MetricUnits, contest.MetricPoints:
		default:
			t.Fatalf("accepted metric %q", r.Metric)
		}
		if r.Target < 0 || !dir.Teams[r.TeamID] {
			t.Fatalf("accepted row %+v", r)
		}
		if r.RepID != "" && dir.Reps[r.RepID].TeamID != r.TeamID {
			t.Fatalf("accepted rep %q in team %q", r.RepID, r.TeamID)
		}
		for _, s := range []string{r.Period, r.Metric, r.TeamID, r.RepID, r.Timezone} {
			if !bullpen.Storable(s) {
				t.Fatalf("accepted text PostgreSQL cannot store: %q", s)
			}
		}
	}
}
