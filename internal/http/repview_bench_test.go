package http_test

import (
	"context"
	"io"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/testenv"
)

// seedTeamArrivals is seedArrivals with a live team contest opened first, so the deals count
// for east (ana and bo: 1,500.50) and west (cy: 50) too. It returns both contests' ids.
func (e *env) seedTeamArrivals(now time.Time) (live, team string) {
	e.t.Helper()
	body := contestBody("teams", now.Add(-24*time.Hour))
	body["scope"] = "team"
	team = e.mustCreateContest(body).ID
	live, _ = e.seedArrivals(now)
	return live, team
}

// BenchmarkRepPage is GET /api/v1/reps/{id} asked by the rep itself (two open contests, one a
// team's; a target this month), against the real Redis and PostgreSQL, once the server has read
// what every arrival shares: what the morning rush asks 3,000 times. Besides ns/op it reports
// the median call and the Redis round trips per call.
func BenchmarkRepPage(b *testing.B) {
	e, token := benchArrival(b)
	measureRepRead(b, e, func() {
		req := httptest.NewRequest("GET", "/api/v1/reps/ana", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := e.srv.App().Test(req, -1)
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("GET /reps/ana: %v, %v", res, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
	})
}

// BenchmarkRepSnapshot is the rep:{id} channel's snapshot of the same rep.
func BenchmarkRepSnapshot(b *testing.B) {
	e, _ := benchArrival(b)
	measureRepRead(b, e, func() {
		if _, err := e.srv.Snapshots().RepSnapshot(context.Background(), "ana"); err != nil {
			b.Fatal(err)
		}
	})
}

// benchArrival seeds seedTeamArrivals and reads ana's page once; it returns ana's token.
func benchArrival(b *testing.B) (*env, string) {
	clock := newClock()
	e := newEnv(b, withClock(clock))
	e.seedTeamArrivals(clock.Now())
	ana := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	e.repPage(ana.Token, "ana")
	return e, ana.Token
}

func measureRepRead(b *testing.B, e *env, read func()) {
	trips := testenv.CountRoundTrips(e.store.Client())
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		read()
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds())/1e3, "median-us")
	b.ReportMetric(float64(len(trips.Trips()))/float64(len(took)), "redis-trips/op")
}
