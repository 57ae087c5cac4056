package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/postgres"
)

// mustIncentive stores an open spot incentive for deals won of at least $50, launched a minute
// ago, and returns its id.
func mustIncentive(t *testing.T, db *postgres.DB, title string, winners int, reward int64) string {
	t.Helper()
	var id string
	err := db.Pool.QueryRow(context.Background(), `INSERT INTO incentives (title, event_type, min_amount, reward_points,
		max_winners, starts_at, ends_at, created_by, created_at)
		VALUES ($1, 'deal.won', 5000, $2, $3, now() - interval '1 hour', now() + interval '1 hour', 'test', now() - interval '1 minute')
		RETURNING id::text`, title, reward, winners).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func wonDeal(eventID, rep, deal string) event.Event {
	now := time.Now()
	return event.Event{EventID: eventID, Type: event.DealWon, OccurredAt: now, ArrivedAt: now, RepID: rep, DealID: deal,
		Amount: 10000, HasAmount: true, Units: 1}
}

func reversedDeal(eventID, rep, deal string) event.Event {
	now := time.Now()
	return event.Event{EventID: eventID, Type: event.DealReversed, OccurredAt: now, ArrivedAt: now, RepID: rep, DealID: deal}
}

func mustApply(t *testing.T, db *postgres.DB, events ...event.Event) map[string]bullpen.Balance {
	t.Helper()
	sources := make([]string, len(events))
	for i := range sources {
		sources[i] = "test"
	}
	res, err := db.ApplyBatch(context.Background(), events, sources)
	if err != nil {
		t.Fatal(err)
	}
	return res.Balances
}

// incentiveEntries lists an incentive's entries in entry order as "rep/deal" with "+" for a
// place won and "-" for a reward clawed back.
func incentiveEntries(t *testing.T, db *postgres.DB, id string) string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT rep_id, deal_id, won_at IS NOT NULL, clawed_back_at IS NOT NULL
		FROM incentive_entries WHERE incentive_id = $1 ORDER BY seq`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var rep, deal string
		var won, clawed bool
		if err := rows.Scan(&rep, &deal, &won, &clawed); err != nil {
			t.Fatal(err)
		}
		s := rep + "/" + deal
		if won {
			s += "+"
		}
		if clawed {
			s += "-"
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

func mustEntries(t *testing.T, db *postgres.DB, id, want string) {
	t.Helper()
	if got := incentiveEntries(t, db, id); got != want {
		t.Fatalf("entries %q, want %q", got, want)
	}
}

// ledgerOf lists a rep's ledger entries in order as "reason points".
func ledgerOf(t *testing.T, db *postgres.DB, rep string) string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT reason, points FROM ledger WHERE rep_id = $1 ORDER BY id`, rep)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var reason string
		var points int64
		if err := rows.Scan(&reason, &points); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(reason, " ", points))
	}
	return strings.Join(out, ", ")
}

func TestTheFirstRepsToQualifyWinAndARepWinsOnce(t *testing.T) {
	db := mustDB(t)
	id := mustIncentive(t, db, "First two", 2, 200)
	mustApply(t, db, wonDeal("e1", "ana", "D1"), wonDeal("e2", "ana", "D2"), wonDeal("e3", "bo", "D3"), wonDeal("e4", "cy", "D4"))
	mustEntries(t, db, id, "ana/D1+ ana/D2 bo/D3+ cy/D4")
	if got := ledgerOf(t, db, "cy"); got != "" {
		t.Fatalf("cy's ledger %q, want nothing", got)
	}
}

func TestAReversedWinPassesThePlaceToTheEarliestWaitingEntryOfARepWithoutAWin(t *testing.T) {
	db := mustDB(t)
	id := mustIncentive(t, db, "First two", 2, 200)
	mustApply(t, db, wonDeal("e1", "ana", "D1"), wonDeal("e2", "ana", "D2"), wonDeal("e3", "bo", "D3"), wonDeal("e4", "cy", "D4"))
	// ana's win is clawed back: she holds no place now, so her own waiting deal comes first.
	balances := mustApply(t, db, reversedDeal("r1", "ana", "D1"))
	mustEntries(t, db, id, "ana/D1+- ana/D2+ bo/D3+ cy/D4")
	if got, want := ledgerOf(t, db, "ana"), "incentive 200, clawback -200, incentive 200"; got != want {
		t.Fatalf("ana's ledger %q, want %q", got, want)
	}
	if balances["ana"].Points != 200 {
		t.Fatalf("ana's balance %+v, want 200", balances["ana"])
	}
	// bo's deal is reversed too: ana holds a place, so it goes to cy.
	mustApply(t, db, reversedDeal("r2", "bo", "D3"))
	mustEntries(t, db, id, "ana/D1+- ana/D2+ bo/D3+- cy/D4+")
}

func TestAPlaceFreedInABatchSkipsEntriesWhoseDealsTheBatchReverses(t *testing.T) {
	db := mustDB(t)
	id := mustIncentive(t, db, "First one", 1, 100)
	mustApply(t, db, wonDeal("e1", "ana", "D1"), wonDeal("e2", "bo", "D2"), wonDeal("e3", "cy", "D3"),
		reversedDeal("r1", "ana", "D1"), reversedDeal("r2", "bo", "D2"))
	mustEntries(t, db, id, "ana/D1+- bo/D2 cy/D3+")
	if got, want := ledgerOf(t, db, "ana")+"; "+ledgerOf(t, db, "bo")+"; "+ledgerOf(t, db, "cy"),
		"incentive 100, clawback -100; ; incentive 100"; got != want {
		t.Fatalf("ledgers %q, want %q", got, want)
	}
}

func TestAPlaceFreedWithNobodyWaitingGoesToTheNextQualifyingDeal(t *testing.T) {
	db := mustDB(t)
	id := mustIncentive(t, db, "First one", 1, 100)
	mustApply(t, db, wonDeal("e1", "ana", "D1"), reversedDeal("r1", "ana", "D1"))
	mustEntries(t, db, id, "ana/D1+-")
	mustApply(t, db, wonDeal("e2", "bo", "D2"))
	mustEntries(t, db, id, "ana/D1+- bo/D2+")
}

func TestAReversalAfterTheCloseClawsBackAndFreesNoPlace(t *testing.T) {
	db := mustDB(t)
	id := mustIncentive(t, db, "First one", 1, 100)
	mustApply(t, db, wonDeal("e1", "ana", "D1"), wonDeal("e2", "bo", "D2"))
	mustExec(t, db, `UPDATE incentives SET ended_at = now() WHERE id = $1`, id)
	mustApply(t, db, reversedDeal("r1", "ana", "D1"), wonDeal("e3", "cy", "D3"))
	mustEntries(t, db, id, "ana/D1+- bo/D2")
}

// The messages a win and a clawback queue, as the screens decode them.
func TestIncentiveMessagesCarryThePointsTheBalanceAndWhereTheyCameFrom(t *testing.T) {
	db := mustDB(t)
	id := mustIncentive(t, db, "First one", 1, 100)
	mustExec(t, db, `INSERT INTO reps (rep_id, name, team_id) VALUES ('ana', 'Ana Ruiz', 'east')`)
	mustApply(t, db, wonDeal("e1", "ana", "D1"), reversedDeal("r1", "ana", "D1"))
	rows, err := db.Pool.Query(context.Background(), `SELECT channel, type, data FROM outbox WHERE type <> 'celebration' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []map[string]any
	for rows.Next() {
		var channel, typ, data string
		if err := rows.Scan(&channel, &typ, &data); err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatal(err)
		}
		m["@"] = channel + " " + typ
		got = append(got, m)
	}
	reward := "100 points: First one, deal D1"
	clawback := `-100 points: deal D1 was reversed, so its reward from "First one" is taken back`
	want := []map[string]any{
		{"@": "rep:ana reward", "points": 100.0, "balance": 0.0, "reason": "incentive", "note": reward,
			"incentive_id": id, "deal_id": "D1", "event_id": "e1"},
		{"@": "floor incentive.won", "incentive_id": id, "rep_id": "ana", "name": "Ana Ruiz", "team_id": "east",
			"deal_id": "D1", "points": 100.0, "note": reward},
		{"@": "rep:ana clawback", "points": -100.0, "balance": 0.0, "reason": "clawback", "note": clawback,
			"incentive_id": id, "deal_id": "D1", "event_id": "e1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("messages\n%v\nwant\n%v", got, want)
	}
}

// A rep paid twice in one batch (here by two incentives) is told the balance it has, not the
// sum counted twice.
func TestARepWhoWinsTwoIncentivesInOneBatchGetsItsTrueBalance(t *testing.T) {
	db := mustDB(t)
	mustIncentive(t, db, "One", 1, 100)
	mustIncentive(t, db, "Two", 1, 200)
	balances := mustApply(t, db, wonDeal("e1", "ana", "D1"))
	if got := balances["ana"].Points; got != 300 {
		t.Fatalf("ana's balance %d, want 300", got)
	}
}

// A redelivered event carries its rep's balance as the ledger has it, so a crash between the
// commit and the projection's writes leaves no balance unwritten (the batch's reward included).
func TestARedeliveredEventCarriesItsRepsBalance(t *testing.T) {
	db := mustDB(t)
	mustIncentive(t, db, "One", 1, 100)
	if got := mustApply(t, db, wonDeal("e1", "ana", "D1"))["ana"]; got.Points != 100 {
		t.Fatalf("ana's balance %+v, want 100 points", got)
	}
	again := mustApply(t, db, wonDeal("e1", "ana", "D1"), wonDeal("e2", "bo", "D2"))
	if got, ok := again["ana"]; !ok || got.Points != 100 || got.Version == 0 {
		t.Fatalf("the redelivery's balance of ana %+v (%v), want 100 points at the ledger's version", got, ok)
	}
}
