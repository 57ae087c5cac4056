package http_test

import (
	"context"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

func TestRepDirectorySearch(t *testing.T) {
	e := newEnv(t)
	if _, err := e.db.Pool.Exec(context.Background(), `INSERT INTO reps (rep_id, name, team_id) VALUES
		('ana.ruiz', 'Ana Ruiz', 'east'), ('bo', 'Bo Anders', 'west'), ('cy', 'Cy 100%', '')`); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ q, want string }{
		{"AN", "[ana.ruiz bo]"}, // an id prefix, and a name substring ignoring case
		{"ruiz", "[ana.ruiz]"},
		{"%", "[cy]"}, // LIKE wildcards are literal
		{"", "[ana.ruiz bo cy]"},
	}
	for _, tc := range cases {
		var got struct{ Items []bullpen.Rep }
		e.do("GET", "/api/v1/reps?q="+tc.q, adminSecret, nil).Want(t, 200, &got)
		ids := []string{}
		for _, r := range got.Items {
			ids = append(ids, r.RepID)
		}
		if s := "[" + join(ids) + "]"; s != tc.want {
			t.Errorf("q=%q: %s, want %s", tc.q, s, tc.want)
		}
	}
	e.do("GET", "/api/v1/reps?limit=1000", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "limit")
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}

func TestRepPageShowsOpenStandings(t *testing.T) {
	e := newEnv(t)
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	e.mustApply(
		`{"event_id":"e1","type":"deal.won","occurred_at":"`+at+`","rep_id":"ana","rep_name":"Ana","team_id":"east","deal_id":"D1","amount":100}`,
		`{"event_id":"e2","type":"deal.won","occurred_at":"`+at+`","rep_id":"bo","rep_name":"Bo","team_id":"east","deal_id":"D2","amount":300}`,
	)
	live := e.mustCreateContest(contestBody("live", time.Now().Add(-24*time.Hour)))
	e.mustCreateContest(contestBody("later", time.Now().Add(time.Hour)))

	other := e.mustMint(adminSecret, bullpen.RoleRep, "bo")
	var got struct {
		RepID         string `json:"rep_id"`
		Name          string `json:"name"`
		TeamID        string `json:"team_id"`
		PointsBalance *int64 `json:"points_balance"`
		Standings     []struct {
			ContestID string  `json:"contest_id"`
			Rank      int     `json:"rank"`
			Score     float64 `json:"score"`
		}
	}
	e.do("GET", "/api/v1/reps/ana", other.Token, nil).Want(t, 200, &got)
	// Another rep sees the public fields; the points balance is ana's own.
	if got.RepID != "ana" || got.Name != "Ana" || got.TeamID != "east" || got.PointsBalance != nil {
		t.Fatalf("rep %+v", got)
	}
	if len(got.Standings) != 1 || got.Standings[0].ContestID != live.ID || got.Standings[0].Rank != 2 || got.Standings[0].Score != 100 {
		t.Fatalf("standings %+v", got.Standings)
	}
	e.do("GET", "/api/v1/reps/nobody", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
}
