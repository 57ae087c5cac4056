package http_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// pastBoards is a daily contest (UTC) that started two days ago, with boards on each day, and an
// all-time team contest that started a minute earlier. Hand-worked:
//
//	day -2: ana 1000 (600 + 400), bo 700.50, cy 300   prizes #1 500, #2 250: ana and bo
//	day -1: bo 200
//	today:  cy 50
//	team board: west (ana) 1000; east (bo, cy) 700.50 + 200 + 300 + 50 = 1250.50
type pastBoards struct {
	daily, team      string
	day2, day1, day0 string
}

func (e *env) mustPastBoards() pastBoards {
	e.t.Helper()
	e.db.Grace = 100 * time.Hour // the past days' events arrive now and still count
	today := time.Now().UTC().Truncate(24 * time.Hour)
	d2, d1 := today.AddDate(0, 0, -2), today.AddDate(0, 0, -1)
	daily := contestBetween("Daily dash", d2, today.AddDate(0, 0, 5))
	daily["period"], daily["timezone"] = "day", "UTC"
	daily["prizes"] = []map[string]any{{"rank": 1, "points": 500}, {"rank": 2, "points": 250}}
	team := contestBetween("Team cup", d2.Add(-time.Minute), today.AddDate(0, 0, 5))
	team["scope"], team["prizes"] = "team", []map[string]any{}
	b := pastBoards{daily: e.mustCreateContest(daily).ID, team: e.mustCreateContest(team).ID,
		day2: d2.Format(time.DateOnly), day1: d1.Format(time.DateOnly), day0: today.Format(time.DateOnly)}
	won := func(id, rep, name, teamID, amount string, at time.Time) string {
		return fmt.Sprintf(`{"event_id":%q,"type":"deal.won","occurred_at":%q,"rep_id":%q,"rep_name":%q,"team_id":%q,"deal_id":"D-%s","amount":%q}`,
			id, at.Format(time.RFC3339), rep, name, teamID, id, amount)
	}
	e.mustApply(
		won("e1", "ana", "Ruiz, Ana", "west", "600", d2.Add(9*time.Hour)),
		won("e2", "ana", "Ruiz, Ana", "west", "400", d2.Add(10*time.Hour)),
		won("e3", "bo", `Bo "B" Li`, "east", "700.50", d2.Add(11*time.Hour)),
		won("e4", "cy", "=cmd()", "east", "300", d2.Add(12*time.Hour)),
		won("e5", "bo", `Bo "B" Li`, "east", "200", d1.Add(9*time.Hour)),
		won("e6", "cy", "=cmd()", "east", "50", today.Add(time.Minute)),
	)
	k, err := e.db.Contest(context.Background(), b.daily)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.Finalize(context.Background(), k, []string{b.day2}, false); err != nil {
		e.t.Fatal(err)
	}
	return b
}

func contestBetween(name string, start, end time.Time) map[string]any {
	body := contestBody(name, start)
	body["ends_at"] = end.UTC().Format(time.RFC3339)
	return body
}

type periodView struct {
	Key         string     `json:"key"`
	Start       time.Time  `json:"start"`
	End         *time.Time `json:"end"`
	Status      string     `json:"status"`
	FinalizedAt *time.Time `json:"finalized_at"`
	Total       int64      `json:"total"`
	Top         []struct {
		Rank  int64   `json:"rank"`
		RepID string  `json:"rep_id"`
		Name  string  `json:"name"`
		Score float64 `json:"score"`
	} `json:"top"`
	Winners []struct {
		Rank   int64   `json:"rank"`
		RepID  string  `json:"rep_id"`
		Name   string  `json:"name"`
		Score  float64 `json:"score"`
		Points int64   `json:"points"`
	} `json:"winners"`
	PrizesPaid []struct {
		RepID  string `json:"rep_id"`
		Name   string `json:"name"`
		Points int64  `json:"points"`
	} `json:"prizes_paid"`
}

type periodsView struct {
	ContestID string       `json:"contest_id"`
	Items     []periodView `json:"items"`
}

func TestContestPeriodsListBoardsNewestFirstWithWinnersOfFinalOnes(t *testing.T) {
	e := newEnv(t)
	b := e.mustPastBoards()
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	var v periodsView
	e.do("GET", "/api/v1/contests/"+b.daily+"/periods", display.Token, nil).Want(t, 200, &v)
	if v.ContestID != b.daily || len(v.Items) != 3 {
		t.Fatalf("periods %+v", v)
	}
	keys := fmt.Sprint(v.Items[0].Key, v.Items[1].Key, v.Items[2].Key)
	if keys != fmt.Sprint(b.day0, b.day1, b.day2) {
		t.Fatalf("keys %s, want today, yesterday, the day before", keys)
	}
	live, ended, final := v.Items[0], v.Items[1], v.Items[2]
	if live.Status != "live" || ended.Status != "ended" || final.Status != "final" || final.FinalizedAt == nil || live.FinalizedAt != nil {
		t.Fatalf("statuses %s %s %s", live.Status, ended.Status, final.Status)
	}
	if live.Total != 1 || len(live.Top) != 1 || live.Top[0].RepID != "cy" || live.Top[0].Score != 50 ||
		len(live.Winners) != 0 || len(live.PrizesPaid) != 0 {
		t.Fatalf("live period %+v", live)
	}
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	if !final.Start.Equal(start) || final.End == nil || !final.End.Equal(start.AddDate(0, 0, 1)) {
		t.Fatalf("final window %v – %v", final.Start, final.End)
	}
	top := fmt.Sprint(final.Top)
	if final.Total != 3 || top != "[{1 ana Ruiz, Ana 1000} {2 bo Bo \"B\" Li 700.5} {3 cy =cmd() 300}]" {
		t.Fatalf("final top %s (total %d)", top, final.Total)
	}
	if w := fmt.Sprint(final.Winners); w != "[{1 ana Ruiz, Ana 1000 500} {2 bo Bo \"B\" Li 700.5 250}]" {
		t.Fatalf("winners %s", w)
	}
	if p := fmt.Sprint(final.PrizesPaid); p != "[{ana Ruiz, Ana 500} {bo Bo \"B\" Li 250}]" {
		t.Fatalf("prizes paid %s", p)
	}
	if got := e.countRows(`SELECT count(*) FROM ledger WHERE reason = 'prize' AND contest_id = $1`, b.daily); got != 2 {
		t.Fatalf("%d prize rows in the ledger", got)
	}

	var page periodsView
	e.do("GET", "/api/v1/contests/"+b.daily+"/periods?limit=1&offset=1", adminSecret, nil).Want(t, 200, &page)
	if len(page.Items) != 1 || page.Items[0].Key != b.day1 || page.Items[0].Top[0].RepID != "bo" {
		t.Fatalf("second page %+v", page)
	}
	var team periodsView
	e.do("GET", "/api/v1/contests/"+b.team+"/periods", adminSecret, nil).Want(t, 200, &team)
	if len(team.Items) != 1 || team.Items[0].Key != "all" || fmt.Sprint(team.Items[0].Top) != "[{1  east 1250.5} {2  west 1000}]" {
		t.Fatalf("team periods %+v", team)
	}
}

func TestContestPeriodsRefuseBadInput(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreateContest(contestBody("Quiet", time.Now().Add(-time.Hour))).ID
	var v periodsView
	e.do("GET", "/api/v1/contests/"+id+"/periods", adminSecret, nil).Want(t, 200, &v)
	if v.Items == nil || len(v.Items) != 0 {
		t.Fatalf("a contest without rows: %+v", v)
	}
	e.do("GET", "/api/v1/contests/"+id+"/periods?limit=0", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "limit")
	e.do("GET", "/api/v1/contests/00000000-0000-0000-0000-000000000000/periods", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	ingest := e.mustMint(adminSecret, bullpen.RoleIngest, "")
	e.do("GET", "/api/v1/contests/"+id+"/periods", ingest.Token, nil).WantError(t, 403, bullpen.EPermission, "")
}

type repHistoryView struct {
	RepID    string  `json:"rep_id"`
	TeamID   *string `json:"team_id"`
	Periods  int     `json:"periods"`
	Contests []struct {
		ContestID string `json:"contest_id"`
		Scope     string `json:"scope"`
		Entrant   string `json:"entrant"`
		Periods   []struct {
			Key    string  `json:"key"`
			Status string  `json:"status"`
			Rank   int64   `json:"rank"`
			Total  int64   `json:"total"`
			Score  float64 `json:"score"`
		} `json:"periods"`
	} `json:"contests"`
}

func (v repHistoryView) String() string {
	s := ""
	for _, c := range v.Contests {
		s += c.Scope + ":" + c.Entrant
		for _, p := range c.Periods {
			s += fmt.Sprintf(" %s %s #%d/%d %v", p.Key, p.Status, p.Rank, p.Total, p.Score)
		}
		s += "; "
	}
	return s
}

func TestRepHistoryGivesRankAndScorePerPeriod(t *testing.T) {
	e := newEnv(t)
	b := e.mustPastBoards()
	bo := e.mustMint(adminSecret, bullpen.RoleRep, "bo")
	var v repHistoryView
	e.do("GET", "/api/v1/reps/bo/history", bo.Token, nil).Want(t, 200, &v)
	want := fmt.Sprintf("rep:bo %s ended #1/1 200 %s final #2/3 700.5; team:east all live #1/2 1250.5; ", b.day1, b.day2)
	if v.RepID != "bo" || v.Periods != 12 || v.TeamID == nil || *v.TeamID != "east" || v.String() != want {
		t.Fatalf("bo's history %q, want %q", v.String(), want)
	}
	if v.Contests[0].ContestID != b.daily || v.Contests[1].ContestID != b.team {
		t.Fatalf("contest order %+v", v.Contests)
	}
	var one repHistoryView
	e.do("GET", "/api/v1/reps/bo/history?periods=1", adminSecret, nil).Want(t, 200, &one)
	if want := fmt.Sprintf("rep:bo %s ended #1/1 200; team:east all live #1/2 1250.5; ", b.day1); one.String() != want {
		t.Fatalf("one period %q, want %q", one.String(), want)
	}
	var cy repHistoryView
	e.do("GET", "/api/v1/reps/cy/history", adminSecret, nil).Want(t, 200, &cy)
	if want := fmt.Sprintf("rep:cy %s live #1/1 50 %s final #3/3 300; team:east all live #1/2 1250.5; ", b.day0, b.day2); cy.String() != want {
		t.Fatalf("cy's history %q, want %q", cy.String(), want)
	}
}

func TestRepHistoryIsPrivateAndValidated(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana", "bo")
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	e.do("GET", "/api/v1/reps/bo/history", ana.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/reps/bo/history", display.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	var v repHistoryView
	e.do("GET", "/api/v1/reps/bo/history", mgr.Token, nil).Want(t, 200, &v)
	if v.Contests == nil || len(v.Contests) != 0 {
		t.Fatalf("a rep without rows: %+v", v)
	}
	for _, q := range []string{"0", "61", "x", "1.5"} {
		e.do("GET", "/api/v1/reps/ana/history?periods="+q, ana.Token, nil).WantError(t, 400, bullpen.EInvalid, "periods")
	}
	e.do("GET", "/api/v1/reps/ana/history?periods=60", ana.Token, nil).Want(t, 200, nil)
	e.do("GET", "/api/v1/reps/nobody/history", mgr.Token, nil).WantError(t, 404, bullpen.ENotFound, "")
}
