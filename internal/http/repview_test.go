package http_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
	"bullpen/internal/testenv"
)

// snapshot is the rep:{id} channel's snapshot, decoded.
func (e *env) snapshot(rep string) arrivalPage {
	e.t.Helper()
	raw, err := e.srv.Snapshots().RepSnapshot(context.Background(), rep)
	if err != nil {
		e.t.Fatal(err)
	}
	var p arrivalPage
	if err := json.Unmarshal(raw, &p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// standingIn is the page's rank and score in a contest ("" when it has no row there).
func (p arrivalPage) standingIn(contestID string) string {
	for _, s := range p.Standings {
		if s.ContestID == contestID {
			b, _ := json.Marshal(s)
			return string(b)
		}
	}
	return ""
}

// wantTrips fails unless the recorded round trips are want (pipelines named by their commands).
func wantTrips(t *testing.T, what string, trips *testenv.RoundTrips, want ...string) {
	t.Helper()
	if got := trips.Trips(); !slices.Equal(got, want) {
		t.Fatalf("%s: redis round trips %q, want %q", what, got, want)
	}
	trips.Reset()
}

// The whole pipeline of a rep's page: its entry, balance (and whether the projection is
// complete), attainment row (one target set) and its places on the two open contests' boards.
const repPipeline = "hmget+hget+get+hget+evalsha+evalsha"

func TestARepsPageAndSnapshotTakeOneRedisRoundTrip(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	live, team := e.seedTeamArrivals(clock.Now())
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	// The first arrival here reads what every arrival shares (open contests, targets, the
	// token) and the directory memo learns ana's team.
	e.repPage(ana.Token, "ana")
	trips := testenv.CountRoundTrips(e.store.Client())

	p := e.repPage(ana.Token, "ana")
	wantTrips(t, "ana's page", trips, repPipeline)
	if p.standingIn(live) != `{"contest_id":"`+live+`","rank":1,"score":1200.5}` || p.standingIn(team) != `{"contest_id":"`+team+`","rank":1,"score":1500.5}` ||
		p.PointsBalance == nil || *p.PointsBalance != 0 || len(p.Attainment) != 1 {
		t.Fatalf("ana's page %+v", p)
	}
	s := e.snapshot("ana")
	wantTrips(t, "ana's snapshot", trips, repPipeline)
	if s.standingIn(live) != p.standingIn(live) || s.standingIn(team) != p.standingIn(team) || s.attainmentOf() != p.attainmentOf() {
		t.Fatalf("ana's snapshot %+v, page %+v", s, p)
	}
	// Another rep's token reads neither her balance nor her attainment.
	bo := e.mustMint(adminSecret, bullpen.RoleRep, "bo")
	e.repPage(bo.Token, "bo") // bo's token, as ana's was, read once
	trips.Reset()
	if p := e.repPage(bo.Token, "ana"); p.PointsBalance != nil || len(p.Attainment) != 0 || len(p.Standings) != 2 {
		t.Fatalf("ana's page as bo sees it %+v", p)
	}
	wantTrips(t, "ana's page as bo sees it", trips, "hmget+evalsha+evalsha")
}

// A rep that changed team is shown on its new team's row of a team contest at once, at the
// cost of a second round trip for that one read; the next read takes one again.
func TestATeamContestsStandingIsRightAfterARepChangesTeam(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	live, team := e.seedTeamArrivals(clock.Now())
	if p := e.repPage(adminSecret, "ana"); p.standingIn(team) != `{"contest_id":"`+team+`","rank":1,"score":1500.5}` {
		t.Fatalf("ana's page in east %+v", p)
	}
	trips := testenv.CountRoundTrips(e.store.Client())
	moved := func(to string) {
		t.Helper()
		// As the consumer writes the directory after a commit that moved her.
		if err := e.store.SetReps(context.Background(), []bullpen.Rep{{RepID: "ana", Name: "Rep ana", TeamID: to}}); err != nil {
			t.Fatal(err)
		}
		trips.Reset()
	}
	moved("west")
	p := e.repPage(adminSecret, "ana")
	wantTrips(t, "the page after the move", trips, repPipeline, "evalsha+evalsha")
	if p.TeamID == nil || *p.TeamID != "west" || p.standingIn(team) != `{"contest_id":"`+team+`","rank":2,"score":50}` ||
		p.standingIn(live) != `{"contest_id":"`+live+`","rank":1,"score":1200.5}` {
		t.Fatalf("ana's page in west %+v", p)
	}
	e.repPage(adminSecret, "ana")
	wantTrips(t, "the next page", trips, repPipeline)

	moved("east")
	s := e.snapshot("ana")
	wantTrips(t, "the snapshot after the move", trips, repPipeline, "evalsha+evalsha")
	if s.standingIn(team) != `{"contest_id":"`+team+`","rank":1,"score":1500.5}` {
		t.Fatalf("ana's snapshot in east again %+v", s)
	}
	// A team with no row on the board yet: no standing there, nothing wrong.
	moved("north")
	if s := e.snapshot("ana"); s.standingIn(team) != "" || s.standingIn(live) == "" {
		t.Fatalf("ana's snapshot in north %+v", s)
	}
}

// A node that has read the directory ahead (the server does at start: Store.LearnTeams) knows
// each rep's team before the rep's first page, which then takes one round trip; without it the
// first page of a rep in a team contest reads its places again on its team's boards.
func TestARepsFirstPageTakesOneRoundTripOnceTeamsAreLearnt(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	_, team := e.seedTeamArrivals(clock.Now())
	e.repPage(adminSecret, "cy") // what every arrival shares, and cy's team
	trips := testenv.CountRoundTrips(e.store.Client())

	e.repPage(adminSecret, "bo")
	// (Without a balance in Redis, each page puts back the one PostgreSQL had: hsetnx.)
	wantTrips(t, "bo's first page, the teams not learnt", trips, "hmget+hget+get+hget+evalsha", "evalsha+evalsha", "hsetnx")
	n, err := e.store.LearnTeams(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("learnt %d teams, %v; want the 3 reps'", n, err)
	}
	trips.Reset()
	p := e.repPage(adminSecret, "ana")
	wantTrips(t, "ana's first page, the teams learnt", trips, repPipeline, "hsetnx")
	if p.standingIn(team) != `{"contest_id":"`+team+`","rank":1,"score":1500.5}` {
		t.Fatalf("ana's page %+v", p)
	}
}

// gatedBalances holds the ledger's balance reads until released, and counts them.
type gatedBalances struct {
	httpapi.LedgerReader
	calls   atomic.Int64
	release chan struct{}
}

func (g *gatedBalances) Balances(ctx context.Context, repIDs []string) (map[string]bullpen.Balance, error) {
	g.calls.Add(1)
	<-g.release
	return g.LedgerReader.Balances(ctx, repIDs)
}

// newGatedBalances is an env with the arrivals seeded whose ledger reads of balances are
// counted, and let through until holdAndLoseBalances.
func newGatedBalances(t *testing.T) (*env, *gatedBalances) {
	t.Helper()
	clock := newClock()
	gate := &gatedBalances{release: make(chan struct{})}
	close(gate.release)
	e := newEnvWired(t, func(d *httpapi.Deps) { gate.LedgerReader = d.LedgerReader; d.LedgerReader = gate }, withClock(clock))
	e.seedArrivals(clock.Now())
	return e, gate
}

// holdAndLoseBalances holds the ledger's balance reads from now until released, counts them
// from zero, and drops every balance the projection holds (its one hash,
// internal/redis/balance.go), as a lost Redis would.
func (g *gatedBalances) holdAndLoseBalances(e *env) {
	e.t.Helper()
	g.release = make(chan struct{})
	g.calls.Store(0)
	if err := e.store.Client().Del(context.Background(), e.cfg.RedisPrefix+":balances").Err(); err != nil {
		e.t.Fatal(err)
	}
}

// The page and the snapshot of a rep arriving while the projection has no balance for it
// (Redis lost) read the ledger once between them, and fill the projection in.
func TestConcurrentBalanceFallbacksReadTheLedgerOnce(t *testing.T) {
	e, gate := newGatedBalances(t)
	e.mustAdjust(adminSecret, "ana", 5, "welcome")
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	e.repPage(ana.Token, "ana")
	ctx := context.Background()
	gate.holdAndLoseBalances(e)
	trips := testenv.CountRoundTrips(e.store.Client())

	const readers = 8
	balances := make(chan int64, readers)
	var wg sync.WaitGroup
	for i := range readers {
		wg.Go(func() {
			if i%2 == 0 {
				balances <- *e.repPage(ana.Token, "ana").PointsBalance
			} else {
				balances <- *e.snapshot("ana").PointsBalance
			}
		})
	}
	// Every reader has read the projection (and found no balance) before the ledger answers.
	testenv.Eventually(t, 10*time.Second, "every reader's pipeline", func() bool {
		n := 0
		for _, tr := range trips.Trips() {
			if strings.HasPrefix(tr, "hmget+hget") {
				n++
			}
		}
		return n == readers
	})
	time.Sleep(200 * time.Millisecond) // for the last of them to reach the shared read
	close(gate.release)
	wg.Wait()
	close(balances)
	for b := range balances {
		if b != 5 {
			t.Fatalf("a reader's balance %d, want the ledger's 5", b)
		}
	}
	if n := gate.calls.Load(); n != 1 {
		t.Fatalf("%d concurrent readers read the ledger's balance %d times, want once", readers, n)
	}
	if got, ok, err := e.store.Balance(ctx, "ana"); err != nil || !ok || got != 5 {
		t.Fatalf("the projection's balance after the fallback %d (%v), %v", got, ok, err)
	}
}

// Reps arriving while the projection has no balance for them (Redis lost, or reps it never
// held) are read from the ledger together: up to BalanceReaders reads at once, and the reps
// asking while they are all under way are read by the next one, all in one query, and their
// balances filled in.
func TestBalanceFallbacksOfManyRepsAreReadTogether(t *testing.T) {
	e, gate := newGatedBalances(t)
	e.mustAdjust(adminSecret, "bo", 7, "welcome")
	ctx := context.Background()
	gate.holdAndLoseBalances(e)
	var wg sync.WaitGroup
	first := []string{"ana", "hal", "ivy", "jo", "kit", "lu"}[:httpapi.BalanceReaders] // each a read of its own, held
	for i, rep := range first {
		wg.Go(func() { e.snapshot(rep) })
		testenv.Eventually(t, 10*time.Second, "read "+rep, func() bool { return gate.calls.Load() == int64(i+1) })
	}
	reps := []string{"bo", "cy", "dee", "eve", "fay", "gus"} // bo has points; the last three no event yet
	got := make([]int64, len(reps))
	trips := testenv.CountRoundTrips(e.store.Client())
	for i, rep := range reps {
		wg.Go(func() { got[i] = *e.snapshot(rep).PointsBalance })
	}
	testenv.Eventually(t, 10*time.Second, "every reader's pipeline", func() bool {
		n := 0
		for _, tr := range trips.Trips() {
			if strings.HasPrefix(tr, "hmget+hget") {
				n++
			}
		}
		return n == len(reps)
	})
	time.Sleep(200 * time.Millisecond) // for the last of them to reach the batch
	if n := gate.calls.Load(); n != int64(len(first)) {
		t.Fatalf("%d reads of the ledger under way, want %d (no more at once)", n, len(first))
	}
	close(gate.release)
	wg.Wait()
	if n, want := gate.calls.Load(), int64(len(first)+1); n != want {
		t.Fatalf("%d reads of the ledger for %d reps' balances, want %d (%d alone, the others together)", n, len(first)+len(reps), want, len(first))
	}
	if got[0] != 7 || got[1] != 0 {
		t.Fatalf("balances %v, want bo's 7 and cy's 0", got)
	}
	for _, rep := range []string{first[len(first)-1], "bo", "gus"} {
		if _, ok, err := e.store.Balance(ctx, rep); err != nil || !ok {
			t.Fatalf("the projection has no balance for %s after the fallback (%v)", rep, err)
		}
	}
}
