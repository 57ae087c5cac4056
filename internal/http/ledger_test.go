package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/pipeline"
)

type adjustmentView struct {
	bullpen.LedgerEntry
	Balance int64 `json:"balance"`
}

type ledgerView struct {
	RepID   string                `json:"rep_id"`
	Balance int64                 `json:"balance"`
	Total   int                   `json:"total"`
	Entries []bullpen.LedgerEntry `json:"entries"`
}

// mustReps puts reps into the directory, as their first events would.
func (e *env) mustReps(ids ...string) {
	e.t.Helper()
	for _, id := range ids {
		if _, err := e.db.Pool.Exec(context.Background(), `INSERT INTO reps (rep_id, name) VALUES ($1, $2)`, id, "Rep "+id); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) mustAdjust(by, repID string, points int64, note string) adjustmentView {
	e.t.Helper()
	var v adjustmentView
	e.do("POST", "/api/v1/reps/"+repID+"/adjustments", by, map[string]any{"points": points, "note": note}).Want(e.t, 201, &v)
	return v
}

// ledgerSum is the rep's balance as the ledger itself adds it up.
func (e *env) ledgerSum(repID string) int64 {
	e.t.Helper()
	var sum int64
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT coalesce(sum(points), 0) FROM ledger WHERE rep_id = $1`, repID).Scan(&sum); err != nil {
		e.t.Fatal(err)
	}
	return sum
}

func (e *env) ledgerRows(repID string) int {
	e.t.Helper()
	var n int
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ledger WHERE rep_id = $1`, repID).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// redisBalance is the balance the projection holds for a rep; it fails the test if none.
func (e *env) redisBalance(repID string) int64 {
	e.t.Helper()
	b, ok, err := e.store.Balance(context.Background(), repID)
	if err != nil {
		e.t.Fatal(err)
	}
	if !ok {
		e.t.Fatalf("redis holds no balance for %s", repID)
	}
	return b
}

func TestAdjustmentIsRecordedWithBalanceAndAudit(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana")
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")

	first := e.mustAdjust(mgr.Token, "ana", 100, "won the Friday spiff")
	if first.ID == 0 || first.RepID != "ana" || first.Points != 100 || first.Reason != bullpen.ReasonAdjustment ||
		first.By != mgr.ID || first.Note != "won the Friday spiff" || first.CreatedAt.IsZero() || first.Balance != 100 {
		t.Fatalf("first adjustment %+v", first)
	}
	second := e.mustAdjust(adminSecret, "ana", -30, "correction")
	if second.By != bullpen.AdminTokenID || second.Points != -30 || second.Balance != 70 || second.ID <= first.ID {
		t.Fatalf("second adjustment %+v", second)
	}
	if got := e.ledgerSum("ana"); got != 70 {
		t.Fatalf("ledger sum %d, want 70", got)
	}
	if got := e.redisBalance("ana"); got != 70 {
		t.Fatalf("redis balance %d, want 70", got)
	}

	rows, err := e.db.Pool.Query(context.Background(), `SELECT by, subject, after->>'points' FROM changes WHERE action = 'ledger.adjust' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for rows.Next() {
		var by, subject, points string
		if err := rows.Scan(&by, &subject, &points); err != nil {
			t.Fatal(err)
		}
		trail = append(trail, by+" "+subject+" "+points)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{mgr.ID + " ana 100", "admin ana -30"}; fmt.Sprint(trail) != fmt.Sprint(want) {
		t.Fatalf("changes %v, want %v", trail, want)
	}
}

func TestAdjustmentRefusesBadInputNamingTheField(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana")
	long := strings.Repeat("é", bullpen.MaxNoteLength+1)
	cases := []struct {
		name, body, field string
	}{
		{"no points", `{"note":"x"}`, "points"},
		{"null points", `{"points":null,"note":"x"}`, "points"},
		{"zero", `{"points":0,"note":"x"}`, "points"},
		{"fraction", `{"points":1.5,"note":"x"}`, "points"},
		{"string", `{"points":"5","note":"x"}`, "points"},
		{"too many", `{"points":1000000001,"note":"x"}`, "points"},
		{"too few", `{"points":-1000000001,"note":"x"}`, "points"},
		{"beyond int64", `{"points":1e20,"note":"x"}`, "points"},
		{"no note", `{"points":5}`, "note"},
		{"empty note", `{"points":5,"note":""}`, "note"},
		{"blank note", `{"points":5,"note":"   "}`, "note"},
		{"long note", `{"points":5,"note":"` + long + `"}`, "note"},
		{"note not a string", `{"points":5,"note":7}`, "note"},
		{"unknown field", `{"points":5,"note":"x","reason":"prize"}`, "reason"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", "/api/v1/reps/ana/adjustments", adminSecret, tc.body).WantError(t, 400, bullpen.EInvalid, tc.field)
		})
	}
	if n := e.ledgerRows("ana"); n != 0 {
		t.Fatalf("%d ledger rows after refused adjustments", n)
	}
	// The bounds themselves are allowed.
	e.mustAdjust(adminSecret, "ana", bullpen.MaxAdjustment, strings.Repeat("é", bullpen.MaxNoteLength))
	if v := e.mustAdjust(adminSecret, "ana", -bullpen.MaxAdjustment, "x"); v.Balance != 0 {
		t.Fatalf("balance %d after +max and -max", v.Balance)
	}
}

func TestAdjustmentOnlyByStaffAndForKnownReps(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana")
	body := map[string]any{"points": 5, "note": "x"}
	for _, tok := range []minted{
		e.mustMint(adminSecret, bullpen.RoleRep, "ana"), // not even for itself
		e.mustMint(adminSecret, bullpen.RoleDisplay, ""),
		e.mustMint(adminSecret, bullpen.RoleIngest, ""),
	} {
		e.do("POST", "/api/v1/reps/ana/adjustments", tok.Token, body).WantError(t, 403, bullpen.EPermission, "")
	}
	e.do("POST", "/api/v1/reps/ana/adjustments", "", body).WantError(t, 401, bullpen.EUnauthenticated, "")
	e.do("POST", "/api/v1/reps/nobody/adjustments", adminSecret, body).WantError(t, 404, bullpen.ENotFound, "")
	if n := e.ledgerRows("ana") + e.ledgerRows("nobody"); n != 0 {
		t.Fatalf("%d ledger rows after refused adjustments", n)
	}
	if _, ok, _ := e.store.Balance(context.Background(), "nobody"); ok {
		t.Fatal("redis holds a balance for a rep that is not in the directory")
	}
}

func TestAdjustmentWithIdempotencyKeyIsRecordedOnce(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana")
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	body := map[string]any{"points": 40, "note": "contest bonus"}
	path := "/api/v1/reps/ana/adjustments"

	first := e.do("POST", path, mgr.Token, body, "Idempotency-Key", "adj-1")
	var a adjustmentView
	first.Want(t, 201, &a)
	again := e.do("POST", path, mgr.Token, body, "Idempotency-Key", "adj-1")
	var b adjustmentView
	again.Want(t, 201, &b)
	if again.Header.Get("Idempotent-Replayed") != "true" || b.ID != a.ID || b.Balance != 40 {
		t.Fatalf("replay %s (header %q), first %s", again.Body, again.Header.Get("Idempotent-Replayed"), first.Body)
	}
	if n, sum := e.ledgerRows("ana"), e.ledgerSum("ana"); n != 1 || sum != 40 {
		t.Fatalf("%d entries summing to %d after the same key twice, want 1 of 40", n, sum)
	}
	// Another key is another entry.
	var c adjustmentView
	e.do("POST", path, mgr.Token, body, "Idempotency-Key", "adj-2").Want(t, 201, &c)
	if c.ID == a.ID || c.Balance != 80 || e.ledgerRows("ana") != 2 {
		t.Fatalf("second key: %+v, %d rows", c, e.ledgerRows("ana"))
	}
}

func TestLedgerListsNewestFirstInPages(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana", "bo")
	ctx := context.Background()
	e.mustAdjust(adminSecret, "ana", 10, "one")
	// Rows the payers write: a prize and an incentive reward, with the ids they came from.
	if _, err := e.db.Pool.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, contest_id, period_key, by, note) VALUES
		('ana', 500, 'prize', '00000000-0000-0000-0000-00000000000c', '2026-12', 'system', 'rank 1')`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Pool.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, incentive_id, event_id, deal_id, by, note) VALUES
		('ana', 200, 'incentive', '00000000-0000-0000-0000-00000000000a', 'ev-9', 'D9', 'system', 'first to close')`); err != nil {
		t.Fatal(err)
	}
	e.mustAdjust(adminSecret, "ana", -3, "four")
	e.mustAdjust(adminSecret, "bo", 1, "not ana's")

	var all ledgerView
	e.do("GET", "/api/v1/reps/ana/ledger", adminSecret, nil).Want(t, 200, &all)
	points := func(v ledgerView) string {
		var p []string
		for _, x := range v.Entries {
			p = append(p, fmt.Sprint(x.Points))
		}
		return strings.Join(p, ",")
	}
	if all.RepID != "ana" || all.Balance != 707 || all.Total != 4 || points(all) != "-3,200,500,10" {
		t.Fatalf("ledger %+v", all)
	}
	inc, prize := all.Entries[1], all.Entries[2]
	if inc.Reason != bullpen.ReasonIncentive || inc.IncentiveID != "00000000-0000-0000-0000-00000000000a" ||
		inc.EventID != "ev-9" || inc.DealID != "D9" || inc.By != bullpen.SystemActor || inc.Note != "first to close" {
		t.Fatalf("incentive entry %+v", inc)
	}
	if prize.Reason != bullpen.ReasonPrize || prize.ContestID != "00000000-0000-0000-0000-00000000000c" || prize.PeriodKey != "2026-12" {
		t.Fatalf("prize entry %+v", prize)
	}

	// An adjustment names no source: its ids are left out, not sent empty.
	var raw struct {
		Entries []map[string]json.RawMessage `json:"entries"`
	}
	e.do("GET", "/api/v1/reps/ana/ledger?limit=1", adminSecret, nil).Want(t, 200, &raw)
	if len(raw.Entries) != 1 {
		t.Fatalf("limit=1 gave %d entries", len(raw.Entries))
	}
	for _, k := range []string{"event_id", "deal_id", "incentive_id", "contest_id", "period_key"} {
		if _, ok := raw.Entries[0][k]; ok {
			t.Errorf("adjustment carries %s", k)
		}
	}
	for _, k := range []string{"id", "rep_id", "points", "reason", "by", "note", "created_at"} {
		if _, ok := raw.Entries[0][k]; !ok {
			t.Errorf("entry lacks %s", k)
		}
	}

	var p1, p2 ledgerView
	e.do("GET", "/api/v1/reps/ana/ledger?limit=3", adminSecret, nil).Want(t, 200, &p1)
	e.do("GET", "/api/v1/reps/ana/ledger?limit=3&offset=3", adminSecret, nil).Want(t, 200, &p2)
	if points(p1) != "-3,200,500" || points(p2) != "10" || p2.Total != 4 || p2.Balance != 707 {
		t.Fatalf("pages %+v / %+v", p1, p2)
	}
	e.do("GET", "/api/v1/reps/ana/ledger?limit=0", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "limit")
	e.do("GET", "/api/v1/reps/ana/ledger?offset=-1", adminSecret, nil).WantError(t, 400, bullpen.EInvalid, "offset")
}

func TestLedgerIsReadByStaffAndTheRepItself(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana", "bo", "cy")
	e.mustAdjust(adminSecret, "ana", 10, "x")
	e.mustAdjust(adminSecret, "bo", 20, "y")
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	display := e.mustMint(adminSecret, bullpen.RoleDisplay, "")
	ingest := e.mustMint(adminSecret, bullpen.RoleIngest, "")

	for _, tok := range []string{ana.Token, mgr.Token, adminSecret} {
		var v ledgerView
		e.do("GET", "/api/v1/reps/ana/ledger", tok, nil).Want(t, 200, &v)
		if v.Balance != 10 || len(v.Entries) != 1 || v.Entries[0].RepID != "ana" {
			t.Fatalf("ana's ledger %+v", v)
		}
	}
	e.do("GET", "/api/v1/reps/bo/ledger", ana.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/reps/nobody/ledger", ana.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/reps/ana/ledger", display.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/reps/ana/ledger", ingest.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("GET", "/api/v1/reps/nobody/ledger", mgr.Token, nil).WantError(t, 404, bullpen.ENotFound, "")

	// A rep of the directory without entries has an empty ledger, not a missing one.
	var empty ledgerView
	e.do("GET", "/api/v1/reps/cy/ledger", mgr.Token, nil).Want(t, 200, &empty)
	if empty.Balance != 0 || empty.Total != 0 || empty.Entries == nil || len(empty.Entries) != 0 {
		t.Fatalf("empty ledger %+v", empty)
	}
}

func (e *env) repBalance(repID string) int64 {
	e.t.Helper()
	var v struct {
		PointsBalance *int64 `json:"points_balance"`
	}
	e.do("GET", "/api/v1/reps/"+repID, adminSecret, nil).Want(e.t, 200, &v)
	if v.PointsBalance == nil {
		e.t.Fatalf("rep %s without points_balance", repID)
	}
	return *v.PointsBalance
}

func TestRepPointsBalanceIsTheLedgerSum(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana", "bo")
	ctx := context.Background()
	e.mustAdjust(adminSecret, "ana", 250, "x")
	e.mustAdjust(adminSecret, "ana", -75, "y")
	if got, want := e.repBalance("ana"), e.ledgerSum("ana"); got != want || want != 175 {
		t.Fatalf("points_balance %d, ledger sum %d, want 175", got, want)
	}
	if got := e.repBalance("bo"); got != 0 {
		t.Fatalf("bo's points_balance %d, want 0", got)
	}

	// Redis lost: the balance comes from the ledger, which fills Redis in again.
	if err := e.store.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Pool.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, by, note) VALUES ('ana', 1000, 'prize', 'system', 'z')`); err != nil {
		t.Fatal(err)
	}
	if got := e.repBalance("ana"); got != 1175 {
		t.Fatalf("points_balance %d after redis was lost, want the ledger's 1175", got)
	}
	if got := e.redisBalance("ana"); got != 1175 {
		t.Fatalf("redis balance %d after the fallback, want 1175", got)
	}

	// While Redis holds a balance it is what the page shows (the projection is read, not the
	// ledger on every request).
	if err := e.store.SetBalances(ctx, map[string]bullpen.Balance{"ana": {Points: 42, Version: 1 << 40}}); err != nil {
		t.Fatal(err)
	}
	if got := e.repBalance("ana"); got != 42 {
		t.Fatalf("points_balance %d, want redis's 42", got)
	}
}

func TestRedisBalanceIsTheLedgerSumAndSurvivesRebuild(t *testing.T) {
	e := newEnv(t)
	e.mustReps("ana", "bo", "cy")
	ctx := context.Background()
	e.mustAdjust(adminSecret, "ana", 300, "x")
	e.mustAdjust(adminSecret, "ana", -20, "y")
	e.mustAdjust(adminSecret, "bo", 7, "z")
	// A payment written straight to the ledger (as the consumer's would be) reaches Redis only
	// through a rebuild here.
	if _, err := e.db.Pool.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, by, note) VALUES ('cy', 90, 'prize', 'system', 'p')`); err != nil {
		t.Fatal(err)
	}
	for _, rep := range []string{"ana", "bo"} {
		if got, want := e.redisBalance(rep), e.ledgerSum(rep); got != want {
			t.Fatalf("%s: redis %d, ledger %d", rep, got, want)
		}
	}

	if err := e.store.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.store.Balance(ctx, "ana"); err != nil || ok {
		t.Fatalf("balance still in redis after flush (ok %v, err %v)", ok, err)
	}
	if err := pipeline.Rebuild(ctx, e.db, e.store); err != nil {
		t.Fatal(err)
	}
	for rep, want := range map[string]int64{"ana": 280, "bo": 7, "cy": 90} {
		if got, sum := e.redisBalance(rep), e.ledgerSum(rep); got != sum || sum != want {
			t.Errorf("%s after rebuild: redis %d, ledger %d, want %d", rep, got, sum, want)
		}
	}
}
