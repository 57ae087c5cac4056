package http_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

type board struct {
	ContestID string `json:"contest_id"`
	Status    string
	Total     int
	Period    struct {
		Key   string
		Start time.Time
		End   *time.Time
	}
	ResetsAt *time.Time `json:"resets_at"`
	Entries  []struct {
		Rank       int
		RepID      *string `json:"rep_id"`
		Name       string
		TeamID     *string `json:"team_id"`
		Score      float64
		FinishedAt *time.Time `json:"finished_at"`
	}
}

func (b board) ranks() []int {
	out := []int{}
	for _, e := range b.Entries {
		out = append(out, e.Rank)
	}
	return out
}

// sevenReps seeds r1..r7 with scores 70..10, so rank n is r<n>.
func sevenReps(e *env, contestID, periodKey string) {
	scores := map[string]int64{}
	for i := 1; i <= 7; i++ {
		scores[fmt.Sprint("r", i)] = int64(80 - 10*i)
	}
	e.mustSeedBoard(contestID, periodKey, scores)
}

func TestLeaderboardPages(t *testing.T) {
	e := newEnv(t)
	c := e.mustCreateContest(contestBody("Sprint", time.Now().Add(-time.Hour)))
	sevenReps(e, c.ID, "all")
	if _, err := e.db.Pool.Exec(context.Background(), `INSERT INTO reps (rep_id, name, team_id) VALUES ('r4', 'Rep Four', 'east')`); err != nil {
		t.Fatal(err)
	}
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	var b board
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?limit=3&offset=3", display.Token, nil).Want(t, 200, &b)
	if b.ContestID != c.ID || b.Status != "live" || b.Total != 7 || fmt.Sprint(b.ranks()) != "[4 5 6]" {
		t.Fatalf("page %+v", b)
	}
	r4 := b.Entries[0]
	if *r4.RepID != "r4" || r4.Name != "Rep Four" || *r4.TeamID != "east" || r4.Score != 40 || r4.FinishedAt != nil {
		t.Fatalf("rank 4 %+v", r4)
	}
	if b.Period.Key != "all" || b.ResetsAt != nil || b.Period.End == nil {
		t.Fatalf("period %+v resets_at %v", b.Period, b.ResetsAt)
	}
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?limit=-1", display.Token, nil).WantError(t, 400, bullpen.EInvalid, "limit")
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?period=yesterday", display.Token, nil).WantError(t, 400, bullpen.EInvalid, "period")
	e.do("GET", "/api/v1/contests/nope/leaderboard", display.Token, nil).WantError(t, 404, bullpen.ENotFound, "")
}

func TestLeaderboardAroundKeepsTheWindowSize(t *testing.T) {
	e := newEnv(t)
	c := e.mustCreateContest(contestBody("Sprint", time.Now().Add(-time.Hour)))
	sevenReps(e, c.ID, "all")
	cases := []struct{ query, ranks string }{
		{"around=r1", "[1 2 3 4 5]"},
		{"around=r2", "[1 2 3 4 5]"},
		{"around=r4", "[2 3 4 5 6]"},
		{"around=r7", "[3 4 5 6 7]"},
		{"around=r6&radius=1", "[5 6 7]"},
		{"around=r1&radius=0", "[1]"},
		{"around=r3&radius=50", "[1 2 3 4 5 6 7]"},
	}
	for _, tc := range cases {
		var b board
		e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?"+tc.query, adminSecret, nil).Want(t, 200, &b)
		if got := fmt.Sprint(b.ranks()); got != tc.ranks || b.Total != 7 {
			t.Errorf("%s: ranks %s total %d, want %s", tc.query, got, b.Total, tc.ranks)
		}
	}
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?around=nobody", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?around=r1&radius=51", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "radius")
}

func TestTeamLeaderboardShowsTeamsWithoutRepIDs(t *testing.T) {
	e := newEnv(t)
	body := contestBody("Teams", time.Now().Add(-time.Hour))
	body["scope"] = "team"
	c := e.mustCreateContest(body)
	e.mustSeedBoard(c.ID, "all", map[string]int64{"east": 20, "west": 10})
	var b board
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?around=west&radius=1", adminSecret, nil).Want(t, 200, &b)
	if len(b.Entries) != 2 {
		t.Fatalf("entries %+v", b.Entries)
	}
	for _, en := range b.Entries {
		if en.RepID != nil || en.TeamID == nil || *en.TeamID != en.Name {
			t.Fatalf("team entry %+v", en)
		}
	}
}

func TestPeriodicLeaderboardPicksThePeriod(t *testing.T) {
	e := newEnv(t)
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Now().In(loc)
	start := time.Date(now.Year(), now.Month(), now.Day()-3, 9, 0, 0, 0, loc)
	body := contestBody("Daily", start)
	body["period"] = "day"
	c := e.mustCreateContest(body)
	today := now.Format(time.DateOnly)
	yesterday := now.AddDate(0, 0, -1).Format(time.DateOnly)
	e.mustSeedBoard(c.ID, today, map[string]int64{"today": 1})
	e.mustSeedBoard(c.ID, yesterday, map[string]int64{"yesterday": 1})

	var b board
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard", adminSecret, nil).Want(t, 200, &b)
	if b.Period.Key != today || len(b.Entries) != 1 || *b.Entries[0].RepID != "today" || b.ResetsAt == nil || !b.ResetsAt.Equal(*b.Period.End) {
		t.Fatalf("current board %+v", b)
	}
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?period=previous", adminSecret, nil).Want(t, 200, &b)
	if b.Period.Key != yesterday || len(b.Entries) != 1 || *b.Entries[0].RepID != "yesterday" {
		t.Fatalf("previous board %+v", b)
	}
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?period="+yesterday, adminSecret, nil).Want(t, 200, &b)
	if b.Period.Key != yesterday {
		t.Fatalf("board by date %+v", b)
	}
	first := start.Format(time.DateOnly)
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?period="+first, adminSecret, nil).Want(t, 200, &b)
	if !b.Period.Start.Equal(start) {
		t.Fatalf("the first period starts at %v, want the contest's start %v", b.Period.Start, start)
	}
	before := start.AddDate(0, 0, -1).Format(time.DateOnly)
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?period="+before, adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
}
