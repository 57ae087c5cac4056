package http_test

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// sees is what one viewer gets from one GET: its status and, on 200, the members of the JSON
// answer that must be there (present, not null, not an empty list) and those that must not
// (absent, null or an empty list).
type sees struct {
	status     int
	show, hide []string
}

func ok(show ...string) sees { return sees{status: 200, show: show} }

var denied = sees{status: 403}

// privacyRule is one row of docs/api.md "Who sees what" as the test checks it: a GET path of
// docs/openapi.json, the request made for it about ana (a rep of team east), and what ana's own
// token, the token of bo (another rep of east), a manager's and a display's get.
type privacyRule struct {
	path                         string // as in docs/openapi.json
	get                          string // the request, ids filled in
	own, other, manager, display sees
}

func everyone(s sees) (sees, sees, sees, sees) { return s, s, s, s }

// privacyRules has a row for every GET path of docs/openapi.json, or the test fails: a new path
// has to say who sees what before it is served.
func privacyRules(contestID, incentiveID, webhookID, screenID, month string) []privacyRule {
	row := func(path, get string, own, other, manager, display sees) privacyRule {
		return privacyRule{path, get, own, other, manager, display}
	}
	from := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	to := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	staffOnly := func(path, get string, show ...string) privacyRule {
		return row(path, get, denied, denied, ok(show...), denied)
	}
	ownAndStaff := func(path, get string, show ...string) privacyRule {
		return row(path, get, ok(show...), denied, ok(show...), denied)
	}
	public := func(path, get string, show ...string) privacyRule {
		o, r, m, d := everyone(ok(show...))
		return row(path, get, o, r, m, d)
	}
	repPage := []string{"rep_id", "name", "team_id", "standings"}
	return []privacyRule{
		public("/openapi.json", "/api/v1/openapi.json", "paths"),
		public("/me", "/api/v1/me", "token_id", "role"),
		staffOnly("/tokens", "/api/v1/tokens", "items"),
		staffOnly("/displays", "/api/v1/displays"), // no display is connected: the status is what differs
		public("/contests", "/api/v1/contests", "items"),
		public("/contests/{id}", "/api/v1/contests/"+contestID, "id", "name"),
		public("/contests/{id}/leaderboard", "/api/v1/contests/"+contestID+"/leaderboard", "entries"),
		public("/contests/{id}/periods", "/api/v1/contests/"+contestID+"/periods", "items"),
		public("/incentives", "/api/v1/incentives", "items"),
		public("/incentives/{id}", "/api/v1/incentives/"+incentiveID, "id", "title"),
		public("/reps", "/api/v1/reps", "items"),
		row("/reps/{id}", "/api/v1/reps/ana",
			ok(append(repPage, "points_balance", "attainment")...),
			sees{status: 200, show: repPage, hide: []string{"points_balance", "attainment"}},
			ok(append(repPage, "points_balance", "attainment")...),
			sees{status: 200, show: append(repPage, "attainment"), hide: []string{"points_balance"}}),
		ownAndStaff("/reps/{id}/ledger", "/api/v1/reps/ana/ledger", "balance", "entries"),
		ownAndStaff("/reps/{id}/history", "/api/v1/reps/ana/history", "contests"),
		ownAndStaff("/reps/{id}/coaching", "/api/v1/reps/ana/coaching", "figures", "team_median"),
		staffOnly("/teams/{id}/coaching", "/api/v1/teams/east/coaching", "reps"),
		row("/targets", "/api/v1/targets?period="+month+"&rep_id=ana", ok("items"), denied, ok("items"), ok("items")),
		staffOnly("/exports/standings.csv", "/api/v1/exports/standings.csv?contest_id="+contestID),
		staffOnly("/exports/ledger.csv", "/api/v1/exports/ledger.csv?from="+from+"&to="+to),
		staffOnly("/exports/incentive-winners.csv", "/api/v1/exports/incentive-winners.csv?incentive_id="+incentiveID),
		staffOnly("/exports/attainment.csv", "/api/v1/exports/attainment.csv?period="+month),
		staffOnly("/audit", "/api/v1/audit", "items"),
		public("/achievements", "/api/v1/achievements", "first_win"),
		public("/reps/{id}/achievements", "/api/v1/reps/ana/achievements", "rep_id", "items"),
		staffOnly("/webhooks", "/api/v1/webhooks", "items"),
		staffOnly("/webhooks/{id}", "/api/v1/webhooks/"+webhookID, "id", "url"),
		staffOnly("/webhooks/{id}/deliveries", "/api/v1/webhooks/"+webhookID+"/deliveries"), // nothing sent yet: the status is what differs
		staffOnly("/screens", "/api/v1/screens", "items"),
		staffOnly("/screens/{id}", "/api/v1/screens/"+screenID, "id", "slides"),
	}
}

func TestWhoSeesWhatOnEveryGETPath(t *testing.T) {
	e := newEnv(t)
	e.do("PUT", "/api/v1/achievements", adminSecret, map[string]any{"first_win": map[string]any{"enabled": true, "points": 5}}).Want(t, 200, nil)
	month := e.seedFloor() // ana and bo in east, cy in west, each with a deal won (and a first win of the day)
	contest := e.mustCreateContest(contestBody("floor", time.Now().Add(-24*time.Hour)))
	incentive := e.mustCreateIncentive(incentiveBody("First to close"))
	e.mustAdjust(adminSecret, "ana", 25, "welcome")
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "ana", "target": "2401"},
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "bo", "target": "1000"},
	}).Want(t, 200, nil)
	viewers := map[string]string{
		"own":     e.mustMint(adminSecret, bullpen.RoleRep, "ana").Token,
		"other":   e.mustMint(adminSecret, bullpen.RoleRep, "bo").Token,
		"manager": e.mustMint(adminSecret, bullpen.RoleManager, "").Token,
		"display": e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token,
	}
	var hook struct{ ID string }
	e.do("POST", "/api/v1/webhooks", adminSecret, map[string]any{"url": "https://203.0.113.10/hook", "events": []string{"reward"}}).Want(t, 201, &hook)
	var screen struct{ ID string }
	e.do("POST", "/api/v1/screens", adminSecret, map[string]any{"name": "Lobby", "slides": []map[string]any{{"kind": "floor"}}}).
		Want(t, 201, &screen)
	rules := privacyRules(contest.ID, incentive.ID, hook.ID, screen.ID, month)

	t.Run("every GET path of the document has a rule, in docs/api.md too", func(t *testing.T) {
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		e.do("GET", "/api/v1/openapi.json", "", nil).Want(t, 200, &doc)
		var documented, ruled []string
		for path, ops := range doc.Paths {
			if _, ok := ops["get"]; ok {
				documented = append(documented, path)
			}
		}
		for _, r := range rules {
			ruled = append(ruled, r.path)
		}
		sort.Strings(documented)
		sort.Strings(ruled)
		if !slices.Equal(documented, ruled) {
			t.Fatalf("GET paths of docs/openapi.json %v, with a rule here %v: say who sees what of each", documented, ruled)
		}
		table := whoSeesWhat(t)
		for _, path := range documented {
			if !strings.Contains(table, "`GET "+path) && !strings.Contains(table, "`"+path+"`") {
				t.Errorf("docs/api.md \"Who sees what\" has no row for GET %s", path)
			}
		}
	})

	for _, r := range rules {
		for _, v := range []struct {
			name string
			want sees
		}{{"own", r.own}, {"other", r.other}, {"manager", r.manager}, {"display", r.display}} {
			t.Run(r.path+"/"+v.name, func(t *testing.T) {
				res := e.do("GET", r.get, viewers[v.name], nil)
				if v.want.status != 200 {
					res.WantError(t, v.want.status, bullpen.EPermission, "")
					return
				}
				res.Want(t, 200, nil)
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					return // a CSV export: the status is what differs
				}
				var body map[string]json.RawMessage
				if err := json.Unmarshal(res.Body, &body); err != nil {
					t.Fatalf("decode %s: %v", res.Body, err)
				}
				for _, f := range v.want.show {
					if empty(body[f]) {
						t.Errorf("%s is missing or empty for %s: %s", f, v.name, res.Body)
					}
				}
				for _, f := range v.want.hide {
					if !empty(body[f]) {
						t.Errorf("%s is shown to %s: %s", f, v.name, res.Body)
					}
				}
			})
		}
	}
}

// empty reports whether a member is absent, null or an empty list or object.
func empty(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null" || s == "[]" || s == "{}"
}

// whoSeesWhat is the "Who sees what" section of docs/api.md.
func whoSeesWhat(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "### Who sees what")
	if i < 0 {
		t.Fatal(`docs/api.md has no section "### Who sees what"`)
	}
	rest := doc[i+1:]
	if j := strings.Index(rest, "\n#"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
