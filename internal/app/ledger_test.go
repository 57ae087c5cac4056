package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/testenv"
)

// TestTheLedgerExplainsTheBalanceEntryByEntry gives one rep entries of every kind (incentive
// rewards, a clawback, a prize, adjustments) through the real processes, then reads the ledger
// as the rep would.
func TestTheLedgerExplainsTheBalanceEntryByEntry(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.Grace = 2 * time.Second
	cfg.FinalizeCheck = 200 * time.Millisecond
	db, store := openDB(t, cfg), openStore(t, cfg)
	startConsumer(t, cfg)
	base := startServer(t, cfg)
	admin := cfg.AdminToken
	now := time.Now().UTC()

	for i, reward := range []int{200, 150, 75} {
		code, body := call(t, "POST", base+"/api/v1/incentives", admin, map[string]any{
			"title": fmt.Sprintf("Spot %d: close $5k+", i+1), "condition": map[string]any{"type": "deal.won", "min_amount": 5000},
			"reward_points": reward, "max_winners": 3, "ends_at": now.Add(time.Hour).Format(time.RFC3339),
		})
		if code != 201 {
			t.Fatalf("launch: %d %s", code, body)
		}
	}
	at := time.Now().UTC().Format(time.RFC3339Nano) // after the launches, before the sprint ends
	// The sprint (it pays 500 to the winner) ends a few seconds after the deals: made only now,
	// so a slow start of the processes or the launches cannot put the deals after its end.
	sprint := endingSoon(t, db, 6*time.Second)
	produce(t, cfg,
		msg("ana", ev{"event_id": "w1", "type": "deal.won", "deal_id": "D-88121", "amount": 6000, "occurred_at": at, "rep_name": "Ana Ruiz"}),
		msg("bo", ev{"event_id": "w2", "type": "deal.won", "deal_id": "B-1", "amount": 100, "occurred_at": at}))
	testenv.Eventually(t, 20*time.Second, "the first deals", func() bool { return eventCount(t, db) == 2 })
	// The deal falls through: every reward it earned is clawed back; a new deal wins again.
	produce(t, cfg,
		msg("ana", ev{"event_id": "r1", "type": "deal.reversed", "deal_id": "D-88121", "occurred_at": at}),
		msg("ana", ev{"event_id": "w3", "type": "deal.won", "deal_id": "D-88122", "amount": 7000, "occurred_at": at}))
	testenv.Eventually(t, 20*time.Second, "the reversal and the new deal", func() bool { return eventCount(t, db) == 4 })

	for i, pts := range []int{25, -10, 40, 5, -3, 12} {
		code, body := call(t, "POST", base+"/api/v1/reps/ana/adjustments", admin, map[string]any{"points": pts, "note": fmt.Sprintf("correction %d", i+1)})
		if code != 201 {
			t.Fatalf("adjustment: %d %s", code, body)
		}
	}
	testenv.Eventually(t, 30*time.Second, "the sprint to become final", func() bool { return contestStatus(t, db, sprint.ID) == contest.StatusFinal })

	// The rep reads its own ledger.
	code, body := call(t, "POST", base+"/api/v1/tokens", admin, map[string]any{"role": "rep", "rep_id": "ana"})
	if code != 201 {
		t.Fatalf("rep token: %d %s", code, body)
	}
	var tok struct{ Token string }
	_ = json.Unmarshal(body, &tok)
	var ledger struct {
		Balance int64                 `json:"balance"`
		Entries []bullpen.LedgerEntry `json:"entries"`
	}
	code, body = call(t, "GET", base+"/api/v1/reps/ana/ledger?limit=100", tok.Token, nil)
	if code != 200 || json.Unmarshal(body, &ledger) != nil {
		t.Fatalf("ledger: %d %s", code, body)
	}
	kinds := map[bullpen.LedgerReason]int{}
	var sum int64
	for i, e := range ledger.Entries {
		sum += e.Points
		kinds[e.Reason]++
		if e.Note == "" || e.By == "" {
			t.Errorf("entry %d does not say why or who: %+v", i, e)
		}
		if i > 0 && e.ID > ledger.Entries[i-1].ID {
			t.Errorf("entries are not newest first at %d", i)
		}
		switch e.Reason {
		case bullpen.ReasonIncentive, bullpen.ReasonClawback:
			if e.IncentiveID == "" || e.EventID == "" || e.DealID == "" || e.By != bullpen.SystemActor || !strings.Contains(e.Note, e.DealID) {
				t.Errorf("%s entry without its incentive, event and deal: %+v", e.Reason, e)
			}
		case bullpen.ReasonPrize:
			if e.ContestID != sprint.ID || e.Points != 500 || e.By != bullpen.SystemActor {
				t.Errorf("prize entry %+v", e)
			}
		case bullpen.ReasonAdjustment:
			if e.By != bullpen.AdminTokenID {
				t.Errorf("adjustment not made by the admin token: %+v", e)
			}
		}
	}
	// 3 rewards for D-88121, 3 clawbacks, 3 rewards for D-88122, 1 prize, 6 adjustments.
	want := map[bullpen.LedgerReason]int{bullpen.ReasonIncentive: 6, bullpen.ReasonClawback: 3, bullpen.ReasonPrize: 1, bullpen.ReasonAdjustment: 6}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s entries, want %d (%v)", kinds[k], k, n, kinds)
		}
	}
	if wantSum := int64(425 + 500 + 69); sum != ledger.Balance || sum != wantSum {
		t.Fatalf("entries add up to %d, balance says %d, want %d", sum, ledger.Balance, wantSum)
	}
	// The floor heard of each launch, each win and the final; the rep of each reward and clawback.
	count := func(channel string) map[string]int {
		n := map[string]int{}
		for _, m := range history(t, store, channel) {
			n[m.Type]++
		}
		return n
	}
	testenv.Eventually(t, 10*time.Second, "the final on the floor", func() bool { return count("floor")["contest.final"] == 1 })
	if floor := count("floor"); floor["incentive.launched"] != 3 || floor["incentive.won"] != 6 || floor["celebration"] != 3 ||
		floor["contest.started"] != 1 || floor["contest.ended"] != 1 {
		t.Errorf("floor messages %v", floor)
	}
	// Adjustments reach the feed too: the 4 that add points as rewards, the 2 that take as clawbacks.
	testenv.Eventually(t, 10*time.Second, "the prize on the rep's feed", func() bool { return count("rep:ana")["reward"] == 11 })
	if feed := count("rep:ana"); feed["clawback"] != 5 {
		t.Errorf("ana's feed %v, want 11 rewards (6 incentives, 1 prize, 4 adjustments) and 5 clawbacks (3 incentives, 2 adjustments)", feed)
	}
	adjusted := 0
	for _, m := range history(t, store, "rep:ana") {
		var d struct {
			Points, Balance int64
			Reason, Note    string
		}
		if json.Unmarshal(m.Data, &d) != nil || d.Reason != string(bullpen.ReasonAdjustment) {
			continue
		}
		adjusted++
		if !strings.HasPrefix(d.Note, "correction ") || (m.Type == "reward") != (d.Points > 0) || d.Balance == 0 {
			t.Errorf("adjustment message %s %s", m.Type, m.Data)
		}
	}
	if adjusted != 6 {
		t.Errorf("%d adjustment messages on the rep's feed, want 6", adjusted)
	}
	var rep struct {
		PointsBalance int64 `json:"points_balance"`
	}
	testenv.Eventually(t, 10*time.Second, "the balance on the rep's page", func() bool {
		_, body := call(t, "GET", base+"/api/v1/reps/ana", tok.Token, nil)
		return json.Unmarshal(body, &rep) == nil && rep.PointsBalance == ledger.Balance
	})
}

// TestABalanceWhoseWriteWasLostIsProjectedByTheConsumer commits adjustments as a server would
// and never writes their balances to Redis (its write failed, or it was killed right after the
// commit): within a projection check the consumer writes them from the ledger, the second over
// the first, for a rep who had none (read as 0 in a complete projection) and one who had some.
func TestABalanceWhoseWriteWasLostIsProjectedByTheConsumer(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.ProjectionCheck = 200 * time.Millisecond
	db, store := openDB(t, cfg), openStore(t, cfg)
	ctx := t.Context()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO reps (rep_id) VALUES ('ana'), ('bo')`); err != nil {
		t.Fatal(err)
	}
	if _, bo, err := db.AddAdjustment(ctx, "bo", 7, "before", "admin"); err != nil || store.SetBalances(ctx, map[string]bullpen.Balance{"bo": bo}) != nil {
		t.Fatal("bo's first adjustment", err)
	}
	startConsumer(t, cfg)
	for _, a := range []struct {
		rep    string
		points int64
	}{{"ana", 25}, {"ana", 5}, {"bo", 3}} {
		if _, _, err := db.AddAdjustment(ctx, a.rep, a.points, "lost write", "admin"); err != nil {
			t.Fatal(err)
		}
	}
	balance := func(rep string) int64 {
		p, _, err := store.Balance(ctx, rep)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	testenv.Eventually(t, 10*time.Second, "the balances in the projection", func() bool { return balance("ana") == 30 && balance("bo") == 10 })
}
