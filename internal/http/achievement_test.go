package http_test

import (
	"encoding/json"
	"testing"

	"bullpen/internal/bullpen"
)

type badgeList struct {
	RepID string `json:"rep_id"`
	Items []struct {
		Kind    string `json:"kind"`
		Key     string `json:"key"`
		Title   string `json:"title"`
		Revoked bool   `json:"revoked"`
		Points  *int64 `json:"points"`
	} `json:"items"`
}

func TestAchievementRulesAreCheckedFieldByFieldAndOnlyStaffSetThem(t *testing.T) {
	e := newEnv(t)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	var rules map[string]map[string]any
	e.do("GET", "/api/v1/achievements", rep.Token, nil).Want(t, 200, &rules)
	if rules["first_win"]["enabled"] != false || rules["streak"]["enabled"] != false {
		t.Fatalf("rules before any were set: %v; want every rule off", rules)
	}
	for body, field := range map[string]string{
		`{"streak": {"enabled": true, "days": 1, "points": 0}}`:         "streak.days",
		`{"hat_trick": {"enabled": true, "points": -5}}`:                "hat_trick.points",
		`{"first_win": {"enabled": "yes", "points": 0}}`:                "first_win.enabled",
		`{"quota_club": {"enabled": true, "points": 2000000}}`:          "quota_club.points",
		`{"largest_deal": {"enabled": true, "points": 1.5}}`:            "largest_deal.points",
		`{"first_win": {"enabled": true, "points": 1}, "best_day": {}}`: "",
		`{"best_period": {"enabled": true, "points": 10}}`:              "best_period.period",
		`{"best_period": {"enabled": true, "period": "quarter"}}`:       "best_period.period",
		`{"best_period": {"enabled": false, "period": "day"}}`:          "best_period.period",
	} {
		e.do("PUT", "/api/v1/achievements", mgr.Token, json.RawMessage(body)).WantError(t, 400, bullpen.EInvalid, field)
	}
	good := map[string]any{"hat_trick": map[string]any{"enabled": true, "points": 100},
		"streak":      map[string]any{"enabled": true, "points": 50, "days": 5},
		"best_period": map[string]any{"enabled": true, "points": 30, "period": "week"}}
	e.do("PUT", "/api/v1/achievements", rep.Token, good).WantError(t, 403, bullpen.EPermission, "")
	e.do("PUT", "/api/v1/achievements", mgr.Token, good).Want(t, 200, &rules)
	e.do("PUT", "/api/v1/achievements", mgr.Token, good).Want(t, 200, nil) // the same again: no second record
	e.do("GET", "/api/v1/achievements", rep.Token, nil).Want(t, 200, &rules)
	if rules["hat_trick"]["points"] != float64(100) || rules["streak"]["days"] != float64(5) || rules["first_win"]["enabled"] != false ||
		rules["best_period"]["period"] != "week" {
		t.Fatalf("rules as stored: %v", rules)
	}
	var trail auditPage
	e.do("GET", "/api/v1/audit?entity=achievements", adminSecret, nil).Want(t, 200, &trail)
	if len(trail.Items) != 1 || trail.Items[0].Action != "achievements.put" {
		t.Fatalf("audit %+v: want one achievements.put", trail.Items)
	}
}

func TestABadgeIsPublicAndItsPointsAreTheRepsOwn(t *testing.T) {
	e := newEnv(t)
	e.do("PUT", "/api/v1/achievements", adminSecret, map[string]any{"first_win": map[string]any{"enabled": true, "points": 5}}).Want(t, 200, nil)
	e.seedFloor()
	own, other := e.mustMint(adminSecret, bullpen.RoleRep, "ana"), e.mustMint(adminSecret, bullpen.RoleRep, "bo")
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	for _, v := range []struct {
		token      string
		withPoints bool
	}{{own.Token, true}, {adminSecret, true}, {other.Token, false}, {display.Token, false}} {
		var got badgeList
		e.do("GET", "/api/v1/reps/ana/achievements", v.token, nil).Want(t, 200, &got)
		if len(got.Items) != 1 || got.Items[0].Kind != "first_win" || got.Items[0].Title != "First win of the day" {
			t.Fatalf("badges %+v; want ana's first win", got)
		}
		if (got.Items[0].Points != nil) != v.withPoints || (v.withPoints && *got.Items[0].Points != 5) {
			t.Errorf("points %v shown to a viewer who may see them: %v", got.Items[0].Points, v.withPoints)
		}
	}
	e.do("GET", "/api/v1/reps/nobody/achievements", own.Token, nil).WantError(t, 404, bullpen.ENotFound, "")
}
