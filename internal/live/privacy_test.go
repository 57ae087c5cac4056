package live_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// channelSees is what one viewer gets on subscribing: a snapshot with these members present and
// not empty, or (denied) a permission_denied error for the channel.
type channelSees struct {
	denied bool
	show   []string
}

func snapshotWith(show ...string) channelSees { return channelSees{show: show} }

var refused = channelSees{denied: true}

// TestWhoWatchesWhatOnEveryChannel checks the channel rows of docs/api.md "Who sees what" for
// ana (a rep of team east), bo (another rep of east), cy (a rep of team west), a manager and a
// display.
func TestWhoWatchesWhatOnEveryChannel(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	e.srv = ws.srv
	e.mustTeamTargets()
	contest := e.mustCreateContest(contestBody("floor", time.Now().Add(-time.Hour)))
	sevenReps(e, contest.ID, "all")

	viewers := []struct{ name, token string }{
		{"ana", e.mustMint(adminSecret, bullpen.RoleRep, "ana").Token},
		{"bo", e.mustMint(adminSecret, bullpen.RoleRep, "bo").Token},
		{"cy", e.mustMint(adminSecret, bullpen.RoleRep, "cy").Token},
		{"manager", e.mustMint(adminSecret, bullpen.RoleManager, "").Token},
		{"display", e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token},
	}
	rules := []struct {
		row     string // as docs/api.md names the channel
		channel string
		sees    map[string]channelSees
	}{
		{"`contest:{id}`", "contest:" + contest.ID, map[string]channelSees{
			"ana": snapshotWith("entries"), "bo": snapshotWith("entries"), "cy": snapshotWith("entries"),
			"manager": snapshotWith("entries"), "display": snapshotWith("entries")}},
		{"`floor`", "floor", map[string]channelSees{
			"ana": snapshotWith("items"), "bo": snapshotWith("items"), "cy": snapshotWith("items"),
			"manager": snapshotWith("items"), "display": snapshotWith("items")}},
		{"`rep:{rep_id}`", "rep:ana", map[string]channelSees{
			"ana": snapshotWith("points_balance", "attainment"), "bo": refused, "cy": refused,
			"manager": snapshotWith("points_balance", "attainment"), "display": refused}},
		{"`targets:{team_id}`", "targets:east", map[string]channelSees{
			"ana": snapshotWith("boards"), "bo": snapshotWith("boards"), "cy": refused,
			"manager": snapshotWith("boards"), "display": snapshotWith("boards")}},
	}
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	table := string(doc)[strings.Index(string(doc), "### Who sees what"):]
	for _, r := range rules {
		if !strings.Contains(table, "| "+r.row) && !strings.Contains(table, ", "+r.row) {
			t.Errorf("docs/api.md \"Who sees what\" has no row for %s", r.row)
		}
		for _, v := range viewers {
			want := r.sees[v.name]
			t.Run(r.channel+"/"+v.name, func(t *testing.T) {
				c := dialWS(t, ws.url, nil)
				c.auth(v.token)
				c.subscribe(r.channel)
				m := c.next()
				if want.denied {
					if m.Type != "error" || m.Code != bullpen.EPermission || m.Channel != r.channel {
						t.Fatalf("%s on %s: %s, want permission_denied", v.name, r.channel, m.Raw)
					}
					return
				}
				if m.Type != "snapshot" || m.Channel != r.channel {
					t.Fatalf("%s on %s: %s, want its snapshot", v.name, r.channel, m.Raw)
				}
				var data map[string]json.RawMessage
				if err := json.Unmarshal(m.Data, &data); err != nil {
					t.Fatal(err)
				}
				for _, f := range want.show {
					if s := strings.TrimSpace(string(data[f])); s == "" || s == "null" || s == "[]" && f != "items" {
						t.Errorf("%s is missing from %s's snapshot for %s: %s", f, r.channel, v.name, m.Data)
					}
				}
			})
		}
	}
}
