package http_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/config"
	httpapi "bullpen/internal/http"
)

type pacedBoard struct {
	Pace *struct {
		ElapsedDays float64 `json:"elapsed_days"`
		TotalDays   float64 `json:"total_days"`
	}
	Entries []struct {
		Rank      int
		RepID     string   `json:"rep_id"`
		Score     float64  `json:"score"`
		Projected *float64 `json:"projected"`
		PaceRank  *int     `json:"pace_rank"`
	}
}

func (b pacedBoard) paceRows() string {
	out := ""
	for _, e := range b.Entries {
		if e.Projected == nil || e.PaceRank == nil {
			return fmt.Sprintf("%s has no pace", e.RepID)
		}
		out += fmt.Sprintf("%s #%d %v→%v #%d; ", e.RepID, e.Rank, e.Score, *e.Projected, *e.PaceRank)
	}
	return out
}

// A monthly contest in New York on the calendar the server builds from its configuration:
// Monday to Friday, Tuesday March 10 2026 a holiday. The clock stands at Wed March 11 12:00 EDT.
func TestLeaderboardShowsEachEntrysPaceInTheContestsSellingTime(t *testing.T) {
	cal, err := app.Calendar(config.Config{Timezone: "UTC", SellingDays: []string{"mon", "tue", "wed", "thu", "fri"}, Holidays: []string{"2026-03-10"}})
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 11, 12, 0, 0, 0, ny)
	e := newEnv(t, func(d *httpapi.Deps) { d.Calendar, d.Now = &cal, func() time.Time { return now } })
	body := contestBody("March", time.Date(2026, 3, 1, 0, 0, 0, 0, ny))
	body["period"], body["ends_at"] = "month", time.Date(2026, 7, 1, 0, 0, 0, 0, ny).Format(time.RFC3339)
	c := e.mustCreateContest(body)
	sevenReps(e, c.ID, "2026-03-01") // r1..r7 score 70, 60, …, 10
	display := e.mustMint(adminSecret, "display", "")

	// March in New York has 22 weekdays (2–6, 9–13, 16–20, 23–27, 30–31), 21 without the 10th.
	// Passed: 2–6, the 9th, half of the 11th = 6.5. Each score is multiplied by 21 ÷ 6.5 = 42/13:
	// 50 → 2100/13 = 161.538… → 161.54; 40 → 1680/13 = 129.230… → 129.23; 30 → 1260/13 = 96.923…
	// → 96.92; 20 → 840/13 = 64.615… → 64.62; 10 → 420/13 = 32.307… → 32.31.
	var b pacedBoard
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?limit=3&offset=2", display.Token, nil).Want(t, 200, &b)
	if b.Pace == nil || b.Pace.ElapsedDays != 6.5 || b.Pace.TotalDays != 21 {
		t.Fatalf("pace %+v, want 6.5 of 21 selling days", b.Pace)
	}
	if got, want := b.paceRows(), "r3 #3 50→161.54 #3; r4 #4 40→129.23 #4; r5 #5 30→96.92 #5; "; got != want {
		t.Errorf("page:\n got %s\nwant %s", got, want)
	}
	b = pacedBoard{}
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?around=r6&radius=1", display.Token, nil).Want(t, 200, &b)
	if got, want := b.paceRows(), "r5 #5 30→96.92 #5; r6 #6 20→64.62 #6; r7 #7 10→32.31 #7; "; got != want {
		t.Errorf("around r6:\n got %s\nwant %s", got, want)
	}

	// April's board is not the one running: no pace at all.
	var raw map[string]json.RawMessage
	e.do("GET", "/api/v1/contests/"+c.ID+"/leaderboard?period=2026-04-15", display.Token, nil).Want(t, 200, &raw)
	if _, ok := raw["pace"]; ok {
		t.Errorf("a board other than the current one has pace: %s", raw["pace"])
	}
}
