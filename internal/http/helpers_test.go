package http_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"bullpen/internal/apitest"
	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/event"
	httpapi "bullpen/internal/http"
	"bullpen/internal/ingest"
	"bullpen/internal/live"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

const adminSecret = "test-admin-token-0123456789"

// env is one test's server on its own PostgreSQL schema and Redis key prefix.
type env struct {
	t        testing.TB
	cfg      config.Config
	db       *postgres.DB
	store    *redis.Store
	producer *fakeProducer
	srv      *httpapi.Server
}

type fakeProducer struct {
	mu   sync.Mutex
	msgs []event.Record
}

func (p *fakeProducer) Produce(_ context.Context, msgs ...event.Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, msgs...)
	return nil
}

func (p *fakeProducer) produced() []event.Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]event.Record(nil), p.msgs...)
}

// testConfig gives a fresh, migrated schema and a fresh Redis prefix; testenv fails the test
// when the services are not configured.
func testConfig(t testing.TB) config.Config {
	t.Helper()
	return config.Config{
		DatabaseURL:     testenv.Schema(t),
		RedisURL:        testenv.RedisURL(t),
		RedisPrefix:     testenv.Name("test-"),
		KafkaBrokers:    []string{"127.0.0.1:1"},
		KafkaTopic:      "deals",
		AdminToken:      adminSecret,
		Currency:        "USD",
		ShutdownTimeout: 5 * time.Second,
	}
}

// newEnv builds the env's server; each of deps may change its dependencies first (a clock, a
// calendar).
func newEnv(t testing.TB, deps ...func(*httpapi.Deps)) *env {
	t.Helper()
	return newEnvWired(t, func(*httpapi.Deps) {}, deps...)
}

// newEnvWired is newEnv with wired then changing what the server's wiring built (a reader
// wrapped to count its calls).
func newEnvWired(t testing.TB, wired func(*httpapi.Deps), deps ...func(*httpapi.Deps)) *env {
	t.Helper()
	cfg := testConfig(t)
	db, store := testenv.OpenDB(t, cfg), testenv.OpenStore(t, cfg)
	e := &env{t: t, cfg: cfg, db: db, store: store, producer: &fakeProducer{}}
	d := httpapi.Deps{Producer: e.producer, AdminToken: cfg.AdminToken, Currency: cfg.Currency, Logger: testLogger(t)}
	for _, f := range deps {
		f(&d)
	}
	d = app.APIDeps(d, db, store)
	wired(&d)
	e.srv = httpapi.New(d)
	// As the server's wiring does: the sockets mounted, so the routes are the served ones.
	e.srv.MountSockets(app.NewSockets(e.srv, store, live.Deps{Logger: testLogger(t)}))
	return e
}

var testLogger = testenv.Logger

// response is a finished request; Want and WantError read it.
type response = apitest.Response

type minted = apitest.Minted

// do sends a request to the env's API through the shared test client, which holds every
// exchange to docs/openapi.json. headers are name, value pairs.
func (e *env) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	return apitest.Do(e.t, e.srv.App(), method, path, token, body, headers...)
}

// mustMint mints a token with the by token.
func (e *env) mustMint(by string, role bullpen.Role, repID string) minted {
	e.t.Helper()
	return apitest.MustMint(e.t, e.srv.App(), by, role, repID)
}

var contestBody = apitest.ContestBody

type contestView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Metric    string `json:"metric"`
	Status    string `json:"status"`
	CreatedBy string `json:"created_by"`
	UpdatedBy string `json:"updated_by"`
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

// mustApply records events in the ledger as the consumer would, and returns what it changed.
func (e *env) mustApply(raws ...string) ingest.Result {
	e.t.Helper()
	evs := make([]event.Event, len(raws))
	sources := make([]string, len(raws))
	for i, raw := range raws {
		ev, err := event.Decode([]byte(raw), "USD")
		if err != nil {
			e.t.Fatalf("event %s: %v", raw, err)
		}
		evs[i], sources[i] = ev, "test"
	}
	res, err := e.db.ApplyBatch(context.Background(), evs, sources)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return res
}

// mustSeedBoard puts rows straight into a contest's board in Redis.
func (e *env) mustSeedBoard(contestID, periodKey string, scores map[string]int64) {
	e.t.Helper()
	rows := []ingest.Row{}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for entrant, score := range scores {
		rows = append(rows, ingest.Row{BoardKey: ingest.BoardKey{ContestID: contestID, PeriodKey: periodKey, Entrant: entrant},
			Score: bullpen.Fixed(score * 100), ReachedAt: at, Version: 1})
	}
	if err := e.store.SetRows(context.Background(), rows); err != nil {
		e.t.Fatal(err)
	}
}

// serve runs the env's server on a loopback listener until the returned stop, which waits for
// Serve to return and gives its error.
func (e *env) serve() (addr string, stop func() error) {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	return ln.Addr().String(), e.serveOn(ln)
}

// serveOn is serve on a listener of the caller's.
func (e *env) serveOn(ln net.Listener) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln, 5*time.Second) }()
	return func() error { cancel(); return <-done }
}
