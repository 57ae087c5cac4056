package http_test

import (
	"context"
	"testing"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
	"bullpen/internal/ingest"
	"bullpen/internal/live"
	"bullpen/internal/message"
	"bullpen/internal/testenv"
)

// The leaderboard's pages are cached for at most boardMaxAge (1 s, docs/api.md) and dropped
// when the node hears of a change. These tests stop the server's clock, so a page that is not
// dropped is served stale for ever: only the notices can make it fresh.

// scoreOf is r1's score on the board's first page as the server serves it.
func scoreOf(t *testing.T, s *httpapi.Server, contestID string) float64 {
	t.Helper()
	var b board
	do(t, s, "GET", "/api/v1/contests/"+contestID+"/leaderboard?limit=50", adminSecret).Want(t, 200, &b)
	for _, en := range b.Entries {
		if en.RepID != nil && *en.RepID == "r1" {
			return en.Score
		}
	}
	return 0
}

// setScore writes r1's score straight into the board in Redis, as the consumer's projection
// does, and announces nothing.
func setScore(t *testing.T, e *env, contestID string, score int64) {
	t.Helper()
	row := ingest.Row{BoardKey: ingest.BoardKey{ContestID: contestID, PeriodKey: "all", Entrant: "r1"},
		Score: bullpen.Fixed(score * 100), ReachedAt: time.Now(), Version: score}
	if err := e.store.SetRows(context.Background(), []ingest.Row{row}); err != nil {
		t.Fatal(err)
	}
}

// waitCached returns once s serves r1's score from its cache: the first reads open the node's
// board notices, and pages are kept once they are heard. It leaves r1 at score on the board
// and the page before it cached.
func waitCached(t *testing.T, e *env, s *httpapi.Server, contestID string, score *int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		before := scoreOf(t, s, contestID)
		*score++
		setScore(t, e, contestID, *score)
		if got := scoreOf(t, s, contestID); got == before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the leaderboard was never served from the cache")
}

// waitScore waits (the clock standing still) for s to serve r1 at want.
func waitScore(t *testing.T, s *httpapi.Server, contestID string, want float64, why string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for scoreOf(t, s, contestID) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the leaderboard still shows r1 at %v, want %v", why, scoreOf(t, s, contestID), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLeaderboardPageIsFreshWithinTheMaxAgeAndAtOnceAfterAnUpdate(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	c := e.mustCreateContest(contestBody("Sprint", clock.Now().Add(-time.Hour)))
	score := int64(0)
	waitCached(t, e, e.srv, c.ID, &score)
	if got := scoreOf(t, e.srv, c.ID); got == float64(score) {
		t.Fatalf("r1 at %v at once after an unannounced write: the page was not cached", got)
	}
	// Unannounced (a rep renamed, a notice lost): fresh once the page is boardMaxAge old.
	clock.move(time.Second)
	if got := scoreOf(t, e.srv, c.ID); got != float64(score) {
		t.Fatalf("r1 at %v a max age after the write, want %d", got, score)
	}
	// Announced: the consumer's update on the contest's channel drops the page, the clock
	// standing still.
	score++
	setScore(t, e, c.ID, score)
	if got := scoreOf(t, e.srv, c.ID); got == float64(score) {
		t.Fatal("the page was not cached again")
	}
	if _, err := e.store.Publish(context.Background(), bullpen.ContestChannel(c.ID), message.TypeUpdate, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	waitScore(t, e.srv, c.ID, float64(score), "after the update")
}

func TestAContestChangedOnOneReplicaIsSeenOnTheOtherAtOnce(t *testing.T) {
	clock := newClock()
	e := newEnv(t, withClock(clock))
	store := testenv.OpenStore(t, e.cfg)
	d := httpapi.Deps{Producer: e.producer, AdminToken: e.cfg.AdminToken, Currency: e.cfg.Currency, Logger: testLogger(t), Now: clock.Now}
	b := httpapi.New(app.APIDeps(d, e.db, store))
	b.MountSockets(app.NewSockets(b, store, live.Deps{Logger: testLogger(t)}))

	c := e.mustCreateContest(contestBody("Sprint", clock.Now().Add(-time.Hour)))
	score := int64(0)
	waitCached(t, e, b, c.ID, &score) // b holds the contest and a page of its board
	var page board
	do(t, b, "GET", "/api/v1/contests/"+c.ID+"/leaderboard?limit=50", adminSecret).Want(t, 200, &page)
	if page.Status != "live" {
		t.Fatalf("status %q", page.Status)
	}
	// Ended on the env's server: b drops the contest and its pages when it hears of it, the
	// clock standing still (without the notice it would serve "live" for ever).
	e.do("POST", "/api/v1/contests/"+c.ID+"/end", adminSecret, nil).Want(t, 200, nil)
	waitUntil(t, "the other replica sees the contest ended", func() bool {
		do(t, b, "GET", "/api/v1/contests/"+c.ID+"/leaderboard?limit=50", adminSecret).Want(t, 200, &page)
		return page.Status == "ended"
	})
}

// waitUntil polls ok for a few seconds (the server's clock standing still).
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
