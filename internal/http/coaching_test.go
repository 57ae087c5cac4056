package http_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
	"bullpen/internal/pace"
)

// newCoachingEnv is a server in New York on 20 March 2026, with east (ana, bo, cy), west (wes)
// and solo (no team) over March, worked by hand:
//
//	       call email meeting demo webinar | total deals amount   | avg deal  per win
//	ana      3    1      1      0     0    |   5     2   1500.01  |  750.01    2.5   (750.005 rounds up)
//	bo       1    0      0      1     1    |   3     1    333.33  |  333.33    3
//	cy       0    2      0      0     0    |   2     0      0.00  |  null      null
//	median   1    1      0      0     0    |   3     1    333.33  |  541.67    2.75
//
// ana's fourth call at 23:30 on 31 March in New York (04:00 UTC on 1 April) is in March; her
// activity at 23:30 on 28 February is not. D1 counts at its updated amount; bo's D4 was
// reversed. The ratios' medians are over ana and bo: (750.01 + 333.33) / 2 = 541.67 and
// (2.5 + 3) / 2 = 2.75.
func newCoachingEnv(t *testing.T) *env {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := pace.NewCalendar(ny, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(d *httpapi.Deps) {
		d.Calendar = &cal
		d.Now = func() time.Time { return time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC) }
	})
	act := func(id, at, rep, team, name string) string {
		return `{"event_id":"` + id + `","type":"activity","occurred_at":"` + at + `","rep_id":"` + rep + `","rep_name":"` + strings.ToUpper(rep[:1]) + rep[1:] +
			`","team_id":"` + team + `","activity":"` + name + `"}`
	}
	deal := func(id, typ, at, rep, team, dealID, amount string) string {
		s := `{"event_id":"` + id + `","type":"` + typ + `","occurred_at":"` + at + `","rep_id":"` + rep + `","team_id":"` + team + `","deal_id":"` + dealID + `"`
		if amount != "" {
			s += `,"amount":"` + amount + `"`
		}
		return s + "}"
	}
	e.mustApply(
		act("a1", "2026-03-02T15:00:00Z", "ana", "east", "call"),
		act("a2", "2026-03-03T15:00:00Z", "ana", "east", "call"),
		act("a3", "2026-04-01T03:30:00Z", "ana", "east", "call"),
		act("a4", "2026-03-01T04:30:00Z", "ana", "east", "call"),
		act("a5", "2026-03-04T15:00:00Z", "ana", "east", "email"),
		act("a6", "2026-03-05T15:00:00Z", "ana", "east", "meeting"),
		deal("d1", "deal.won", "2026-03-10T15:00:00Z", "ana", "east", "D1", "1000.00"),
		deal("d1u", "deal.updated", "2026-03-11T15:00:00Z", "ana", "east", "D1", "1000.01"),
		deal("d2", "deal.won", "2026-03-12T15:00:00Z", "ana", "east", "D2", "500.00"),
		act("b1", "2026-03-06T15:00:00Z", "bo", "east", "call"),
		act("b2", "2026-03-07T15:00:00Z", "bo", "east", "demo"),
		act("b3", "2026-03-08T15:00:00Z", "bo", "east", "webinar"),
		deal("d3", "deal.won", "2026-03-09T15:00:00Z", "bo", "east", "D3", "333.33"),
		deal("d4", "deal.won", "2026-03-11T15:00:00Z", "bo", "east", "D4", "200.00"),
		deal("d4r", "deal.reversed", "2026-03-13T15:00:00Z", "bo", "east", "D4", ""),
		act("c1", "2026-03-14T15:00:00Z", "cy", "east", "email"),
		act("c2", "2026-03-15T15:00:00Z", "cy", "east", "email"),
		act("w1", "2026-03-14T15:00:00Z", "wes", "west", "call"),
		deal("d5", "deal.won", "2026-03-16T15:00:00Z", "wes", "west", "D5", "900.00"),
		act("s1", "2026-03-14T15:00:00Z", "solo", "", "call"),
		deal("d6", "deal.won", "2026-03-17T15:00:00Z", "solo", "", "D6", "50.00"),
	)
	return e
}

// sameJSON fails unless body holds the same JSON value as want.
func sameJSON(t *testing.T, body []byte, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("the expected JSON: %v", err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("got  %s\nwant %s", body, want)
	}
}

const (
	march       = `"from": "2026-03-01T00:00:00-05:00", "to": "2026-04-01T00:00:00-04:00", "timezone": "America/New_York", "currency": "USD"`
	eastTypes   = `"activity_types": ["call", "email", "meeting", "demo", "webinar"]`
	anaFigures  = `{"activities": {"call": 3, "email": 1, "meeting": 1, "demo": 0, "webinar": 0}, "activities_total": 5, "deals_won": 2, "amount_won": "1500.01", "average_deal_size": "750.01", "activities_per_win": 2.5}`
	eastMedian  = `{"activities": {"call": 1, "email": 1, "meeting": 0, "demo": 0, "webinar": 0}, "activities_total": 3, "deals_won": 1, "amount_won": "333.33", "average_deal_size": "541.67", "activities_per_win": 2.75}`
	anaCoaching = `{"rep_id": "ana", "name": "Ana", "team_id": "east", ` + march + `, ` + eastTypes + `,
		"figures": ` + anaFigures + `, "below_median": ["activities_per_win"], "team_size": 3, "team_median": ` + eastMedian + `}`
)

func TestTeamCoachingSetsTheRepsSideBySideWithTheMedian(t *testing.T) {
	e := newCoachingEnv(t)
	manager := e.mustMint(adminSecret, bullpen.RoleManager, "")
	want := `{"team_id": "east", ` + march + `, ` + eastTypes + `, "reps": [
		{"rep_id": "ana", "name": "Ana", "figures": ` + anaFigures + `, "below_median": ["activities_per_win"]},
		{"rep_id": "bo", "name": "Bo", "figures": {"activities": {"call": 1, "email": 0, "meeting": 0, "demo": 1, "webinar": 1}, "activities_total": 3,
			"deals_won": 1, "amount_won": "333.33", "average_deal_size": "333.33", "activities_per_win": 3}, "below_median": ["activities.email", "average_deal_size"]},
		{"rep_id": "cy", "name": "Cy", "figures": {"activities": {"call": 0, "email": 2, "meeting": 0, "demo": 0, "webinar": 0}, "activities_total": 2,
			"deals_won": 0, "amount_won": "0.00", "average_deal_size": null, "activities_per_win": null},
			"below_median": ["activities.call", "activities_total", "deals_won", "amount_won"]}],
		"median": ` + eastMedian + `}`
	// Local dates, the same days as RFC 3339 times, and the current month by default.
	for _, q := range []string{"?from=2026-03-01&to=2026-03-31", "?from=2026-03-01T05:00:00Z&to=2026-04-01T04:00:00Z", ""} {
		res := e.do("GET", "/api/v1/teams/east/coaching"+q, manager.Token, nil)
		res.Want(t, 200, nil)
		sameJSON(t, res.Body, want)
	}
	// One local day: wes's deal of the 16th without his call of the 14th; no activity and a
	// win make 0 activities per win, not null.
	res := e.do("GET", "/api/v1/teams/west/coaching?from=2026-03-16&to=2026-03-16", manager.Token, nil)
	res.Want(t, 200, nil)
	sameJSON(t, res.Body, `{"team_id": "west", "from": "2026-03-16T00:00:00-04:00", "to": "2026-03-17T00:00:00-04:00", "timezone": "America/New_York", "currency": "USD",
		"activity_types": ["call", "email", "meeting", "demo"],
		"reps": [{"rep_id": "wes", "name": "Wes", "figures": {"activities": {"call": 0, "email": 0, "meeting": 0, "demo": 0}, "activities_total": 0,
			"deals_won": 1, "amount_won": "900.00", "average_deal_size": "900.00", "activities_per_win": 0}, "below_median": []}],
		"median": {"activities": {"call": 0, "email": 0, "meeting": 0, "demo": 0}, "activities_total": 0,
			"deals_won": 1, "amount_won": "900.00", "average_deal_size": "900.00", "activities_per_win": 0}}`)
}

func TestRepCoachingSetsTheRepAgainstItsTeamsMedian(t *testing.T) {
	e := newCoachingEnv(t)
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	res := e.do("GET", "/api/v1/reps/ana/coaching?from=2026-03-01&to=2026-03-31", ana.Token, nil)
	res.Want(t, 200, nil)
	sameJSON(t, res.Body, anaCoaching)
	// Staff read any rep's; the default range is the current month.
	res = e.do("GET", "/api/v1/reps/ana/coaching", adminSecret, nil)
	res.Want(t, 200, nil)
	sameJSON(t, res.Body, anaCoaching)

	res = e.do("GET", "/api/v1/reps/solo/coaching", adminSecret, nil)
	res.Want(t, 200, nil)
	sameJSON(t, res.Body, `{"rep_id": "solo", "name": "Solo", "team_id": null, `+march+`, "activity_types": ["call", "email", "meeting", "demo"],
		"figures": {"activities": {"call": 1, "email": 0, "meeting": 0, "demo": 0}, "activities_total": 1, "deals_won": 1,
			"amount_won": "50.00", "average_deal_size": "50.00", "activities_per_win": 1},
		"below_median": [], "team_size": 0, "team_median": null}`)
}

func TestCoachingIsReadByStaffAndTheRepItself(t *testing.T) {
	e := newCoachingEnv(t)
	bo := e.mustMint(adminSecret, bullpen.RoleRep, "bo")
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	e.do("GET", "/api/v1/reps/ana/coaching", bo.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/reps/ana/coaching", display.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/teams/east/coaching", bo.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/teams/east/coaching", display.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/reps/ana/coaching", "", nil).WantError(t, 401, bullpen.EUnauthenticated, "")
}

func TestCoachingRefusesBadRangesAndUnknownNames(t *testing.T) {
	e := newCoachingEnv(t)
	for _, path := range []string{"/api/v1/reps/ana/coaching", "/api/v1/teams/east/coaching"} {
		cases := []struct{ query, field string }{
			{"?from=2026-03-31&to=2026-03-01", "to"},
			{"?from=yesterday", "from"},
			{"?to=2026-13-01", "to"},
			{"?from=2026-01-01&to=2027-01-01", "to"},
			{"?from=2026-03-02T10:00:00Z&to=2026-03-02T10:00:00Z", "to"},
		}
		for _, tc := range cases {
			e.do("GET", path+tc.query, adminSecret, nil).WantError(t, 400, bullpen.EInvalid, tc.field)
		}
		// A whole year is allowed.
		e.do("GET", path+"?from=2026-01-01&to=2026-12-31", adminSecret, nil).Want(t, 200, nil)
	}
	e.do("GET", "/api/v1/teams/north/coaching", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("GET", "/api/v1/reps/nobody/coaching", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
}
