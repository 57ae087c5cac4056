package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

// escapeAll percent-encodes every byte of s, as a client may: the server must decode each.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestPathIDsArePercentDecoded(t *testing.T) {
	e := newEnv(t)
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	e.mustApply(`{"event_id":"e1","type":"deal.won","occurred_at":"` + at + `","rep_id":"ana@acme","rep_name":"Ana","team_id":"east","deal_id":"D1","amount":100}`)
	k := e.mustCreateContest(contestBody("Q4", time.Now().Add(-24*time.Hour)))
	inc := e.mustCreateIncentive(incentiveBody("First to close"))
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	other := e.mustMint(adminSecret, bullpen.RoleDisplay, "")

	var got struct {
		ID        string `json:"id"`
		RepID     string `json:"rep_id"`
		ContestID string `json:"contest_id"`
	}
	e.do("GET", "/api/v1/contests/"+escapeAll(k.ID), adminSecret, nil).Want(t, 200, &got)
	if got.ID != k.ID {
		t.Errorf("contest %q, want %q", got.ID, k.ID)
	}
	e.do("GET", "/api/v1/contests/"+escapeAll(k.ID)+"/leaderboard", adminSecret, nil).Want(t, 200, nil)
	got.ContestID = ""
	e.do("GET", "/api/v1/contests/"+escapeAll(k.ID)+"/periods", adminSecret, nil).Want(t, 200, &got)
	if got.ContestID != k.ID {
		t.Errorf("periods of %q, want %q", got.ContestID, k.ID)
	}
	e.do("PATCH", "/api/v1/contests/"+escapeAll(k.ID), adminSecret, map[string]any{"name": "Q4 push"}).Want(t, 200, nil)
	// An id with a space reaches the reader decoded (a contest id is a UUID, so: not found).
	if msg := e.do("GET", "/api/v1/contests/Q4%20push", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "").Error.Message; !strings.Contains(msg, "Q4 push") {
		t.Errorf("not found message %q does not name the decoded id", msg)
	}

	for _, path := range []string{"/api/v1/reps/ana%40acme", "/api/v1/reps/ana%40acme/ledger", "/api/v1/reps/ana%40acme/history",
		"/api/v1/reps/ana%40acme/coaching"} {
		got.RepID = ""
		e.do("GET", path, adminSecret, nil).Want(t, 200, &got)
		if got.RepID != "ana@acme" {
			t.Errorf("%s: rep %q, want ana@acme", path, got.RepID)
		}
	}
	e.do("POST", "/api/v1/reps/ana%40acme/adjustments", adminSecret, map[string]any{"points": 5, "note": "thanks"}).Want(t, 201, nil)
	var ledger struct {
		Balance int64 `json:"balance"`
	}
	e.do("GET", "/api/v1/reps/ana@acme/ledger", adminSecret, nil).Want(t, 200, &ledger)
	if ledger.Balance != 5 {
		t.Errorf("the adjustment through an encoded id went elsewhere: balance %d", ledger.Balance)
	}
	e.do("GET", "/api/v1/teams/"+escapeAll("east")+"/coaching", adminSecret, nil).Want(t, 200, nil)

	got.ID = ""
	e.do("GET", "/api/v1/incentives/"+escapeAll(inc.ID), adminSecret, nil).Want(t, 200, &got)
	if got.ID != inc.ID {
		t.Errorf("incentive %q, want %q", got.ID, inc.ID)
	}
	e.do("POST", "/api/v1/incentives/"+escapeAll(inc.ID)+"/end", adminSecret, nil).Want(t, 200, nil)
	e.do("POST", "/api/v1/contests/"+escapeAll(k.ID)+"/end", adminSecret, nil).Want(t, 200, nil)

	e.do("POST", "/api/v1/tokens/"+escapeAll(display.ID)+"/rotate", adminSecret, nil).Want(t, 200, nil)
	e.do("DELETE", "/api/v1/tokens/"+escapeAll(other.ID), adminSecret, nil).Want(t, 204, nil)
	e.do("GET", "/api/v1/me", other.Token, nil).WantError(t, 401, bullpen.EUnauthenticated, "")
}

func TestMalformedPathIDIsInvalid(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"%zz", "ab%", "ab%4", "%00", "a%FFb"} {
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/contests/" + id}, {"PATCH", "/api/v1/contests/" + id}, {"POST", "/api/v1/contests/" + id + "/end"},
			{"POST", "/api/v1/contests/" + id + "/cancel"}, {"GET", "/api/v1/contests/" + id + "/leaderboard"},
			{"GET", "/api/v1/contests/" + id + "/periods"},
			{"GET", "/api/v1/incentives/" + id}, {"POST", "/api/v1/incentives/" + id + "/end"},
			{"GET", "/api/v1/reps/" + id}, {"GET", "/api/v1/reps/" + id + "/ledger"}, {"POST", "/api/v1/reps/" + id + "/adjustments"},
			{"GET", "/api/v1/reps/" + id + "/history"}, {"GET", "/api/v1/reps/" + id + "/coaching"},
			{"GET", "/api/v1/teams/" + id + "/coaching"},
			{"DELETE", "/api/v1/tokens/" + id}, {"POST", "/api/v1/tokens/" + id + "/rotate"},
		} {
			var body any
			switch {
			case r.method == "PATCH":
				body = map[string]any{"name": "x"}
			case strings.HasSuffix(r.path, "/adjustments"):
				body = map[string]any{"points": 5, "note": "x"}
			}
			res := e.do(r.method, r.path, adminSecret, body)
			if res.Status != 400 {
				t.Errorf("%s %s: %d %s, want 400 naming id", r.method, r.path, res.Status, res.Body)
				continue
			}
			res.WantError(t, 400, bullpen.EInvalid, "id")
		}
	}
}
