package live_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"bullpen/internal/apitest"
	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	httpapi "bullpen/internal/http"
	"bullpen/internal/ingest"
	"bullpen/internal/live"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/target"
	"bullpen/internal/testenv"
)

const adminSecret = "test-admin-token-0123456789"

// env is one test's database schema and Redis key prefix, and an API server on them (without
// sockets) for what the test sets up through the API; srv may be pointed at a replica.
type env struct {
	t     *testing.T
	cfg   config.Config
	db    *postgres.DB
	store *redis.Store
	srv   *httpapi.Server
}

// newEnv fails the test, never skips it, when the services are not there.
func newEnv(t *testing.T) *env {
	t.Helper()
	cfg := config.Config{DatabaseURL: testenv.Schema(t), RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.Name("test-"),
		AdminToken: adminSecret, Currency: "USD"}
	db, store := testenv.OpenDB(t, cfg), testenv.OpenStore(t, cfg)
	e := &env{t: t, cfg: cfg, db: db, store: store}
	e.srv = httpapi.New(app.APIDeps(httpapi.Deps{AdminToken: cfg.AdminToken, Currency: cfg.Currency, Logger: testLogger(t)}, db, store))
	return e
}

// wsServer is a server of the test's env listening on a real port, as one replica.
type wsServer struct {
	srv   *httpapi.Server
	url   string // ws://host:port/ws
	store *redis.Store
	stop  func() // shuts down (sockets closed with 1001) and waits
}

// startWS starts a replica on the env's database and Redis prefix (with a Redis client of its
// own), the live subsystem mounted on its API as the server's wiring does. deps adjusts the
// live subsystem's dependencies; ln, when not nil, is the listener to serve on.
func startWS(t *testing.T, e *env, deps func(*live.Deps), ln net.Listener) *wsServer {
	t.Helper()
	store, err := redis.Open(context.Background(), e.cfg.RedisURL, e.cfg.RedisPrefix)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(app.APIDeps(httpapi.Deps{AdminToken: e.cfg.AdminToken, Currency: e.cfg.Currency, Logger: testLogger(t)}, e.db, store))
	d := live.Deps{Logger: testLogger(t), Currency: e.cfg.Currency, ServerVersion: "test-version", Snapshots: srv.Snapshots()}
	if deps != nil {
		deps(&d)
	}
	srv.MountSockets(app.NewSockets(srv, store, d))
	if ln == nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 5*time.Second) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			_ = store.Close()
		})
	}
	t.Cleanup(stop)
	return &wsServer{srv: srv, url: "ws://" + ln.Addr().String() + "/ws", store: store, stop: stop}
}

var testLogger = testenv.Logger

// response is a finished request; Want and WantError read it.
type response = apitest.Response

type minted = apitest.Minted

// do sends a request to the env's API through the shared test client (which also holds the
// exchange to docs/openapi.json).
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	return apitest.Do(e.t, e.srv.App(), method, path, token, body)
}

// mustMint mints a token with the by token.
func (e *env) mustMint(by string, role bullpen.Role, repID string) minted {
	e.t.Helper()
	return apitest.MustMint(e.t, e.srv.App(), by, role, repID)
}

var contestBody = apitest.ContestBody

type contestView struct {
	ID string `json:"id"`
}

func (e *env) mustCreateContest(body map[string]any) contestView {
	e.t.Helper()
	var c contestView
	e.do("POST", "/api/v1/contests", adminSecret, body).Want(e.t, 201, &c)
	if c.ID == "" {
		e.t.Fatalf("contest without id")
	}
	return c
}

// sevenReps puts r1..r7 with scores 70..10 straight into a contest's board in Redis.
func sevenReps(e *env, contestID, periodKey string) {
	e.t.Helper()
	rows := []ingest.Row{}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= 7; i++ {
		rows = append(rows, ingest.Row{BoardKey: ingest.BoardKey{ContestID: contestID, PeriodKey: periodKey, Entrant: fmt.Sprint("r", i)},
			Score: bullpen.Fixed(int64(80-10*i) * 100), ReachedAt: at, Version: 1})
	}
	if err := e.store.SetRows(context.Background(), rows); err != nil {
		e.t.Fatal(err)
	}
}

// mustTeamTargets puts ana and bo in team east and cy in west, with revenue targets this month
// for ana (1,000) and bo (500), and returns the month.
func (e *env) mustTeamTargets() string {
	e.t.Helper()
	if _, err := e.db.Pool.Exec(context.Background(), `INSERT INTO reps (rep_id, name, team_id)
		VALUES ('ana', 'Ana', 'east'), ('bo', 'Bo', 'east'), ('cy', 'Cy', 'west')`); err != nil {
		e.t.Fatal(err)
	}
	month, _ := target.PeriodsAt(time.Now(), time.UTC)
	e.do("PUT", "/api/v1/targets", adminSecret, []map[string]any{
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "ana", "target": 1000},
		{"period": month, "metric": "revenue", "team_id": "east", "rep_id": "bo", "target": 500},
	}).Want(e.t, 200, nil)
	return month
}
