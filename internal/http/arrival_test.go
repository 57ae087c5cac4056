package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"bullpen/internal/apitest"
	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
	"bullpen/internal/target"
	"bullpen/internal/testenv"
)

// arrivalPage is what the tests read of GET /reps/{id} and of the rep:{id} snapshot.
type arrivalPage struct {
	RepID         string  `json:"rep_id"`
	Name          string  `json:"name"`
	TeamID        *string `json:"team_id"`
	PointsBalance *int64  `json:"points_balance"`
	Standings     []struct {
		ContestID string  `json:"contest_id"`
		Rank      int     `json:"rank"`
		Score     float64 `json:"score"`
	} `json:"standings"`
	Attainment []struct {
		Period, Metric string
		Value, Target  float64
		Pct            *float64
	} `json:"attainment"`
}

// attainmentOf is the page's attainment as period/metric/value/target/pct.
func (p arrivalPage) attainmentOf() string {
	out := ""
	for _, a := range p.Attainment {
		pct := "null"
		if a.Pct != nil {
			pct = fmt.Sprint(*a.Pct)
		}
		out += fmt.Sprintf("%s/%s/%v/%v/%s ", a.Period, a.Metric, a.Value, a.Target, pct)
	}
	return out
}

// seedArrivals opens a live revenue contest, applies deals won a moment before now as the
// consumer does (the ledger, then the boards, directory, attainment and balances in Redis) by
// ana 1,200.50 and bo 300 of team east and cy 50 of west, and gives ana and bo revenue targets
// of 2,401 and 1,000 this month through the API. It returns the contest's id and the month.
func (e *env) seedArrivals(now time.Time) (string, string) {
	e.t.Helper()
	live := e.mustCreateContest(contestBody("live", now.Add(-24*time.Hour)))
	at := now.Add(-time.Second)
	month, _ := target.PeriodsAt(at, time.UTC)
	won := func(rep, team, amount string) string {
		return fmt.Sprintf(`{"event_id":"w-%s","type":"deal.won","occurred_at":%q,"rep_id":%q,"rep_name":%q,"team_id":%q,"deal_id":"D-%s","amount":%s}`,
			rep, at.Format(time.RFC3339Nano), rep, "Rep "+rep, team, rep, amount)
	}
	res := e.mustApply(won("ana", "east", "1200.50"), won("bo", "east", "300"), won("cy", "west", "50"))
	ctx := context.Background()
	for _, err := range []error{e.store.SetRows(ctx, res.Rows), e.store.SetReps(ctx, res.Reps),
		e.store.SetAttainment(ctx, res.Attainment), e.store.SetBalances(ctx, res.Balances)} {
		if err != nil {
			e.t.Fatal(err)
		}
	}
	e.putTarget("ana", month, 2401)
	e.putTarget("bo", month, 1000)
	return live.ID, month
}

func (e *env) putTarget(rep, month string, value float64) {
	e.t.Helper()
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": rep, "target": value},
	}).Want(e.t, 200, nil)
}

func (e *env) repPage(token, rep string) arrivalPage {
	e.t.Helper()
	var p arrivalPage
	e.do("GET", "/api/v1/reps/"+rep, token, nil).Want(e.t, 200, &p)
	return p
}

func TestARepArrivesWithoutReadingPostgreSQL(t *testing.T) {
	clock := newClock()
	reads := &pgReads{}
	e := newEnvWired(t, reads.wire, withClock(clock))
	live, month := e.seedArrivals(clock.Now())
	e.mustAdjust(adminSecret, "ana", 5, "welcome")
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	// bo's arrival reads what every arrival shares: the open contests and the current targets.
	e.repPage(adminSecret, "bo")

	reads.off.Store(true)
	reads.calls.Store(0)
	p := e.repPage(ana.Token, "ana")
	if p.RepID != "ana" || p.Name != "Rep ana" || p.TeamID == nil || *p.TeamID != "east" || p.PointsBalance == nil || *p.PointsBalance != 5 {
		t.Fatalf("ana's page %+v", p)
	}
	if len(p.Standings) != 1 || p.Standings[0].ContestID != live || p.Standings[0].Rank != 1 || p.Standings[0].Score != 1200.5 {
		t.Fatalf("ana's standings %+v", p.Standings)
	}
	want := month + "/revenue/1200.5/2401/50 "
	if got := p.attainmentOf(); got != want {
		t.Fatalf("ana's attainment %q, want %q", got, want)
	}
	raw, err := e.srv.Snapshots().RepSnapshot(context.Background(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	var snap arrivalPage
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Standings) != 1 || snap.Standings[0].Rank != 1 || snap.attainmentOf() != want {
		t.Fatalf("ana's snapshot %s", raw)
	}
	if team, err := e.srv.Snapshots().RepTeam(context.Background(), "ana"); err != nil || team != "east" {
		t.Fatalf("ana's team %q, %v", team, err)
	}
	if n := reads.calls.Load(); n != 0 {
		t.Fatalf("ana's arrival asked PostgreSQL %d times, want none", n)
	}
}

// A rep with no points, on a complete projection (rebuilt: its generation mark set), arrives
// without a balance read from the ledger or one put back in Redis: its balance is 0.
func TestARepWithNoPointsArrivesWithoutReadingTheLedger(t *testing.T) {
	clock := newClock()
	reads := &pgReads{}
	e := newEnvWired(t, reads.wire, withClock(clock))
	e.seedArrivals(clock.Now())
	bo := e.mustMint(adminSecret, bullpen.RoleRep, "bo")
	e.repPage(adminSecret, "cy") // what every arrival shares
	if err := e.store.SetGeneration(context.Background(), "g1"); err != nil {
		t.Fatal(err)
	}
	reads.off.Store(true)
	reads.calls.Store(0)
	trips := testenv.CountRoundTrips(e.store.Client())
	p := e.repPage(bo.Token, "bo")
	if p.PointsBalance == nil || *p.PointsBalance != 0 {
		t.Fatalf("bo's page %+v", p)
	}
	if n := reads.calls.Load(); n != 0 {
		t.Fatalf("bo's arrival asked PostgreSQL %d times, want none", n)
	}
	for _, trip := range trips.Trips() {
		if strings.Contains(trip, "hsetnx") {
			t.Fatalf("bo's arrival put a balance back in Redis: %q", trips.Trips())
		}
	}
}

func TestARepOnlyPostgreSQLKnowsIsFoundAndAnUnknownOneIs404(t *testing.T) {
	reads := &pgReads{}
	e := newEnvWired(t, reads.wire)
	ctx := context.Background()
	// A rep whose first event is committed, the projection not written yet.
	if _, err := e.db.Pool.Exec(ctx, `INSERT INTO reps (rep_id, name, team_id) VALUES ('dee', 'Dee', 'north')`); err != nil {
		t.Fatal(err)
	}
	before := reads.calls.Load()
	p := e.repPage(adminSecret, "dee")
	if p.Name != "Dee" || p.TeamID == nil || *p.TeamID != "north" {
		t.Fatalf("dee's page %+v", p)
	}
	if reads.calls.Load() == before {
		t.Fatal("a rep missing from the projection was found without PostgreSQL")
	}
	if dir, err := e.store.Reps(ctx, []string{"dee"}); err != nil || dir["dee"].Name != "Dee" {
		t.Fatalf("the projection's directory after the read: %+v, %v", dir, err)
	}

	e.do("GET", "/api/v1/reps/nobody", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	// A 404 is not remembered: the rep's first event makes its page.
	if _, err := e.db.Pool.Exec(ctx, `INSERT INTO reps (rep_id, name, team_id) VALUES ('nobody', 'Now Somebody', '')`); err != nil {
		t.Fatal(err)
	}
	if p := e.repPage(adminSecret, "nobody"); p.Name != "Now Somebody" || p.TeamID != nil {
		t.Fatalf("nobody's page %+v", p)
	}
	// A socket's snapshot of a rep with no event yet is empty, not an error, as before.
	if raw, err := e.srv.Snapshots().RepSnapshot(ctx, "newcomer"); err != nil {
		t.Fatalf("snapshot of a rep not in the directory: %s, %v", raw, err)
	}
}

func TestATargetWrittenHereShowsOnTheNextRepPage(t *testing.T) {
	clock := newClock() // it never moves: only the write may change what the page shows
	e := newEnv(t, withClock(clock))
	_, month := e.seedArrivals(clock.Now())
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	page := e.repPage(ana.Token, "ana")
	if got := page.attainmentOf(); got != month+"/revenue/1200.5/2401/50 " {
		t.Fatalf("first read %q", got)
	}
	e.putTarget("ana", month, 1200.50)
	page = e.repPage(ana.Token, "ana")
	if got := page.attainmentOf(); got != month+"/revenue/1200.5/1200.5/100 " {
		t.Fatalf("after the target changed %q", got)
	}
	e.do("DELETE", "/api/v1/targets?period="+month+"&metric=revenue&team_id=east&rep_id=ana", adminSecret, nil).Want(t, 204, nil)
	page = e.repPage(ana.Token, "ana")
	if got := page.attainmentOf(); got != "" {
		t.Fatalf("after the target was deleted %q", got)
	}
}

func TestATargetWrittenOnAnotherReplicaShowsWithinTwoSeconds(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	_, month := e.seedArrivals(clock.Now())
	other := httpapi.New(app.APIDeps(httpapi.Deps{AdminToken: e.cfg.AdminToken, Currency: e.cfg.Currency, Logger: testLogger(t),
		Now: clock.Now}, e.db, e.store))
	if got := e.repPage(adminSecret, "ana").attainmentOf(); got != month+"/revenue/1200.5/2401/50 " {
		t.Fatalf("first read %q", got)
	}
	apitest.Do(t, other.App(), "PUT", "/api/v1/targets", adminSecret, []map[string]any{
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "ana", "target": 1200.50},
	}).Want(t, 200, nil)
	// This replica serves its copy of the targets until it is 2 s old (docs/api.md §3 "Targets").
	if got := e.repPage(adminSecret, "ana").attainmentOf(); got != month+"/revenue/1200.5/2401/50 " {
		t.Fatalf("within the max age %q", got)
	}
	clock.move(2 * time.Second)
	if got := e.repPage(adminSecret, "ana").attainmentOf(); got != month+"/revenue/1200.5/1200.5/100 " {
		t.Fatalf("after the max age %q", got)
	}
}
