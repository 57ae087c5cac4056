package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

type winnerView struct {
	RepID        string     `json:"rep_id"`
	DealID       string     `json:"deal_id"`
	EventID      string     `json:"event_id"`
	WonAt        time.Time  `json:"won_at"`
	ClawedBackAt *time.Time `json:"clawed_back_at"`
}

type incentiveView struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Condition struct {
		Type      string   `json:"type"`
		MinAmount *float64 `json:"min_amount"`
		Product   *string  `json:"product"`
	} `json:"condition"`
	RewardPoints int64      `json:"reward_points"`
	MaxWinners   int        `json:"max_winners"`
	StartsAt     time.Time  `json:"starts_at"`
	EndsAt       time.Time  `json:"ends_at"`
	Status       string     `json:"status"`
	EndedAt      *time.Time `json:"ended_at"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	Winners      []winnerView
}

// incentiveBody is a valid incentive: first 3 to close 5000+ within the next hour win 200 points.
func incentiveBody(title string) map[string]any {
	return map[string]any{
		"title":         title,
		"condition":     map[string]any{"type": "deal.won", "min_amount": 5000, "product": nil},
		"reward_points": 200, "max_winners": 3,
		"ends_at":  time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"audience": map[string]any{"teams": []string{}, "reps": []string{}},
	}
}

func (e *env) mustCreateIncentive(body map[string]any) incentiveView {
	e.t.Helper()
	var i incentiveView
	e.do("POST", "/api/v1/incentives", adminSecret, body).Want(e.t, 201, &i)
	if i.ID == "" {
		e.t.Fatalf("incentive without id")
	}
	return i
}

func (e *env) countRows(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestCreateIncentiveReturnsItAsStored(t *testing.T) {
	e := newEnv(t)
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	before := time.Now()
	res := e.do("POST", "/api/v1/incentives", mgr.Token, incentiveBody("First 3 to close $5k+"))
	var got incentiveView
	res.Want(t, 201, &got)
	if got.ID == "" || got.Status != "open" || got.CreatedBy != mgr.ID || got.Title != "First 3 to close $5k+" ||
		got.Condition.Type != "deal.won" || got.Condition.MinAmount == nil || *got.Condition.MinAmount != 5000 ||
		got.Condition.Product != nil || got.RewardPoints != 200 || got.MaxWinners != 3 || got.EndedAt != nil {
		t.Fatalf("created %s", res.Body)
	}
	// starts_at defaults to now; the launch is the database's clock when it was stored.
	slack := 2 * time.Second
	if got.StartsAt.Before(before.Add(-slack)) || got.StartsAt.After(time.Now().Add(slack)) ||
		got.CreatedAt.Before(before.Add(-slack)) || got.CreatedAt.After(time.Now().Add(slack)) {
		t.Fatalf("starts_at %v, created_at %v, want about %v", got.StartsAt, got.CreatedAt, before)
	}
	var raw map[string]json.RawMessage
	res.Want(t, 201, &raw)
	if string(raw["winners"]) != "[]" {
		t.Fatalf("winners of a new incentive are %s, want []", raw["winners"])
	}
	again := e.do("GET", "/api/v1/incentives/"+got.ID, mgr.Token, nil)
	again.Want(t, 200, nil)
	if !bytes.Equal(again.Body, res.Body) {
		t.Fatalf("GET gives\n%s\nPOST gave\n%s", again.Body, res.Body)
	}
	if n := e.countRows(`SELECT count(*) FROM changes WHERE subject = $1 AND by = $2 AND action = 'incentive.launch'`, got.ID, mgr.ID); n != 1 {
		t.Fatalf("%d launch changes recorded, want 1", n)
	}
}

func TestCreateIncentiveNamesTheBadField(t *testing.T) {
	e := newEnv(t)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	cases := []struct {
		name  string
		edit  func(b map[string]any)
		field string
	}{
		{"no condition", func(b map[string]any) { delete(b, "condition") }, "condition.type"},
		{"another event type", func(b map[string]any) { b["condition"] = map[string]any{"type": "call"} }, "condition.type"},
		{"min_amount with 3 places", func(b map[string]any) { b["condition"] = map[string]any{"type": "deal.won", "min_amount": 1.125} }, "condition.min_amount"},
		{"unknown condition field", func(b map[string]any) { b["condition"] = map[string]any{"type": "deal.won", "team": "east"} }, "condition.team"},
		{"no reward", func(b map[string]any) { delete(b, "reward_points") }, "reward_points"},
		{"negative reward", func(b map[string]any) { b["reward_points"] = -5 }, "reward_points"},
		{"fractional reward", func(b map[string]any) { b["reward_points"] = 1.5 }, "reward_points"},
		{"no winners", func(b map[string]any) { b["max_winners"] = 0 }, "max_winners"},
		{"no end", func(b map[string]any) { delete(b, "ends_at") }, "ends_at"},
		{"ends in the past", func(b map[string]any) { b["ends_at"] = past }, "ends_at"},
		{"ends before it starts", func(b map[string]any) {
			b["starts_at"] = time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		}, "ends_at"},
		{"timestamp without offset", func(b map[string]any) { b["ends_at"] = "2030-01-01T17:00:00" }, "ends_at"},
		{"no title", func(b map[string]any) { b["title"] = "  " }, "title"},
		{"empty team", func(b map[string]any) { b["audience"] = map[string]any{"teams": []string{"east", ""}} }, "audience.teams.1"},
		{"unknown field", func(b map[string]any) { b["colour"] = "red" }, "colour"},
		{"server field", func(b map[string]any) { b["status"] = "open" }, "status"},
		{"winners are the server's", func(b map[string]any) { b["winners"] = []any{} }, "winners"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := incentiveBody("Spot")
			tc.edit(b)
			e.do("POST", "/api/v1/incentives", adminSecret, b).WantError(t, 400, bullpen.EInvalid, tc.field)
		})
	}
	e.do("POST", "/api/v1/incentives", adminSecret, `[1]`).WantError(t, 400, bullpen.EInvalid, "")
	if n := e.countRows(`SELECT count(*) FROM incentives`); n != 0 {
		t.Fatalf("%d invalid incentives were stored", n)
	}
}

func TestOnlyStaffLaunchAndEndIncentives(t *testing.T) {
	e := newEnv(t)
	rep := e.mustMint(adminSecret, bullpen.RoleRep, "rep-1")
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	ingest := e.mustMint(adminSecret, bullpen.RoleIngest, "")
	e.do("POST", "/api/v1/incentives", rep.Token, incentiveBody("x")).WantError(t, 403, bullpen.EPermission, "")
	e.do("POST", "/api/v1/incentives", display.Token, incentiveBody("x")).WantError(t, 403, bullpen.EPermission, "")
	if n := e.countRows(`SELECT count(*) FROM incentives`); n != 0 {
		t.Fatalf("%d incentives launched without permission", n)
	}

	i := e.mustCreateIncentive(incentiveBody("Spot"))
	e.do("POST", "/api/v1/incentives/"+i.ID+"/end", rep.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("POST", "/api/v1/incentives/"+i.ID+"/end", display.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/incentives", ingest.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/incentives/"+i.ID, ingest.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	// Every other role reads them.
	for _, tok := range []string{rep.Token, display.Token} {
		var one incentiveView
		e.do("GET", "/api/v1/incentives/"+i.ID, tok, nil).Want(t, 200, &one)
		var all struct{ Items []incentiveView }
		e.do("GET", "/api/v1/incentives", tok, nil).Want(t, 200, &all)
		if one.Status != "open" || len(all.Items) != 1 || all.Items[0].ID != i.ID {
			t.Fatalf("read %+v and %+v", one, all.Items)
		}
	}
}

func TestListIncentivesFiltersByStatusAndPages(t *testing.T) {
	e := newEnv(t)
	scheduled := incentiveBody("scheduled")
	scheduled["starts_at"] = time.Now().Add(30 * time.Minute).UTC().Format(time.RFC3339)
	later := e.mustCreateIncentive(scheduled)
	open := e.mustCreateIncentive(incentiveBody("open"))
	closed := e.mustCreateIncentive(incentiveBody("closed"))
	e.do("POST", "/api/v1/incentives/"+closed.ID+"/end", adminSecret, nil).Want(t, 200, nil)
	if later.Status != "scheduled" {
		t.Fatalf("an incentive starting later is %q", later.Status)
	}

	for status, want := range map[string]string{"scheduled": later.ID, "open": open.ID, "closed": closed.ID} {
		var got struct{ Items []incentiveView }
		e.do("GET", "/api/v1/incentives?status="+status, adminSecret, nil).Want(t, 200, &got)
		if len(got.Items) != 1 || got.Items[0].ID != want || got.Items[0].Status != status || got.Items[0].Winners == nil {
			t.Fatalf("status=%s lists %+v, want only %s", status, got.Items, want)
		}
	}
	var all struct{ Items []incentiveView }
	e.do("GET", "/api/v1/incentives", adminSecret, nil).Want(t, 200, &all)
	if len(all.Items) != 3 || all.Items[0].ID != later.ID {
		t.Fatalf("all incentives %+v, want 3, the latest to start first", all.Items)
	}
	var page struct{ Items []incentiveView }
	e.do("GET", "/api/v1/incentives?limit=1&offset=1", adminSecret, nil).Want(t, 200, &page)
	if len(page.Items) != 1 || page.Items[0].ID != all.Items[1].ID {
		t.Fatalf("second page %+v, want %s", page.Items, all.Items[1].ID)
	}
	e.do("GET", "/api/v1/incentives?status=ended", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "status")
	e.do("GET", "/api/v1/incentives?limit=0", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "limit")
}

func TestEndIncentiveClosesItOnce(t *testing.T) {
	e := newEnv(t)
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	i := e.mustCreateIncentive(incentiveBody("Spot"))
	var ended incentiveView
	e.do("POST", "/api/v1/incentives/"+i.ID+"/end", mgr.Token, nil).Want(t, 200, &ended)
	if ended.ID != i.ID || ended.Status != "closed" || ended.EndedAt == nil || ended.Winners == nil {
		t.Fatalf("ended %+v", ended)
	}
	var got incentiveView
	e.do("GET", "/api/v1/incentives/"+i.ID, mgr.Token, nil).Want(t, 200, &got)
	if got.Status != "closed" || got.EndedAt == nil || !got.EndedAt.Equal(*ended.EndedAt) {
		t.Fatalf("after the end, GET gives %+v", got)
	}
	e.do("POST", "/api/v1/incentives/"+i.ID+"/end", mgr.Token, nil).WantError(t, 409, bullpen.EConflict, "")
	if n := e.countRows(`SELECT count(*) FROM changes WHERE subject = $1 AND by = $2 AND action = 'incentive.end'`, i.ID, mgr.ID); n != 1 {
		t.Fatalf("%d end changes recorded, want 1", n)
	}
	// The floor hears of it once (queued with the change, published by the consumer).
	if n := e.countRows(`SELECT count(*) FROM outbox WHERE channel = 'floor' AND type = 'incentive.ended'
		AND data::jsonb->>'id' = $1 AND data::jsonb->>'status' = 'closed'`, i.ID); n != 1 {
		t.Fatalf("%d incentive.ended messages queued, want 1", n)
	}
	for _, id := range []string{"not-a-uuid", "6f1c1f8e-3f5b-4a53-9d55-000000000000"} {
		e.do("GET", "/api/v1/incentives/"+id, adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
		e.do("POST", "/api/v1/incentives/"+id+"/end", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	}
}

func TestCreateIncentiveWithIdempotencyKeyIsStoredOnce(t *testing.T) {
	e := newEnv(t)
	body := incentiveBody("Once")
	first := e.do("POST", "/api/v1/incentives", adminSecret, body, "Idempotency-Key", "inc-1")
	var a, b incentiveView
	first.Want(t, 201, &a)
	again := e.do("POST", "/api/v1/incentives", adminSecret, body, "Idempotency-Key", "inc-1")
	again.Want(t, 201, &b)
	if a.ID != b.ID || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay gave %s, first was %s", b.ID, a.ID)
	}
	if n := e.countRows(`SELECT count(*) FROM incentives`); n != 1 {
		t.Fatalf("%d incentives from one key, want 1", n)
	}
	if n := e.countRows(`SELECT count(*) FROM changes WHERE action = 'incentive.launch'`); n != 1 {
		t.Fatalf("%d launches recorded from one key, want 1", n)
	}
}

func TestIncentiveListsWinnersInWinningOrder(t *testing.T) {
	e := newEnv(t)
	i := e.mustCreateIncentive(incentiveBody("Spot"))
	t0 := time.Now().UTC().Truncate(time.Second)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	// In apply order (seq): "yan" applied first but won only when "zoe"'s place was freed;
	// "zoe" and "amy" won at the same moment, so apply order decides; "bo" never won.
	if _, err := e.db.Pool.Exec(context.Background(), `
		INSERT INTO incentive_entries (incentive_id, event_id, rep_id, deal_id, applied_at, won_at, clawed_back_at) VALUES
			($1, 'ev-1', 'yan', 'D1', $2, $4, NULL),
			($1, 'ev-2', 'zoe', 'D2', $2, $2, $3),
			($1, 'ev-3', 'bo',  'D3', $2, NULL, NULL),
			($1, 'ev-4', 'amy', 'D4', $2, $2, NULL)`,
		i.ID, at(1), at(2), at(3)); err != nil {
		t.Fatal(err)
	}
	var got incentiveView
	e.do("GET", "/api/v1/incentives/"+i.ID, adminSecret, nil).Want(t, 200, &got)
	var order []string
	for _, w := range got.Winners {
		order = append(order, w.RepID+"/"+w.DealID+"/"+w.EventID)
	}
	if want := []string{"zoe/D2/ev-2", "amy/D4/ev-4", "yan/D1/ev-1"}; !slices.Equal(order, want) {
		t.Fatalf("winners %v, want %v", order, want)
	}
	zoe, amy, yan := got.Winners[0], got.Winners[1], got.Winners[2]
	if !zoe.WonAt.Equal(at(1)) || zoe.ClawedBackAt == nil || !zoe.ClawedBackAt.Equal(at(2)) ||
		amy.ClawedBackAt != nil || !yan.WonAt.Equal(at(3)) || yan.ClawedBackAt != nil {
		t.Fatalf("winners %+v", got.Winners)
	}
	var all struct{ Items []incentiveView }
	e.do("GET", "/api/v1/incentives?status=open", adminSecret, nil).Want(t, 200, &all)
	if len(all.Items) != 1 || len(all.Items[0].Winners) != 3 || all.Items[0].Winners[0].RepID != "zoe" {
		t.Fatalf("the list shows %+v", all.Items)
	}
}
