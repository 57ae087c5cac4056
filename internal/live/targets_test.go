package live_test

import (
	"encoding/json"
	"testing"

	"bullpen/internal/bullpen"
)

func TestTargetsChannelSnapshotAndWhoMayWatchIt(t *testing.T) {
	e := newEnv(t)
	ws := startWS(t, e, nil, nil)
	e.srv = ws.srv
	month := e.mustTeamTargets()

	display := dialWS(t, ws.url, nil)
	display.auth(e.mustMint(adminSecret, bullpen.RoleDisplay, "").Token)
	display.subscribe("targets:east")
	var snap struct {
		TeamID string `json:"team_id"`
		Boards []struct {
			TeamID string `json:"team_id"`
			Period string `json:"period"`
			Team   struct {
				Target float64 `json:"target"`
				Own    bool    `json:"own"`
			} `json:"team"`
			Reps []struct {
				Rank  int    `json:"rank"`
				RepID string `json:"rep_id"`
				Name  string `json:"name"`
			} `json:"reps"`
		} `json:"boards"`
	}
	if err := json.Unmarshal(display.nextOf("snapshot").Data, &snap); err != nil {
		t.Fatal(err)
	}
	if snap.TeamID != "east" || len(snap.Boards) != 1 || snap.Boards[0].Period != month || snap.Boards[0].Team.Target != 1500 ||
		snap.Boards[0].Team.Own || len(snap.Boards[0].Reps) != 2 || snap.Boards[0].Reps[1].Name != "Bo" {
		t.Fatalf("snapshot %+v", snap)
	}

	cy := dialWS(t, ws.url, nil)
	cy.auth(e.mustMint(adminSecret, bullpen.RoleRep, "cy").Token)
	cy.subscribe("targets:east")
	if m := cy.nextOf("error"); m.Code != bullpen.EPermission || m.Channel != "targets:east" {
		t.Fatalf("a rep of west watching east: %s", m.Raw)
	}
	cy.subscribe("targets:west")
	if m := cy.nextOf("snapshot"); m.Channel != "targets:west" {
		t.Fatalf("cy's own team: %s", m.Raw)
	}
}
