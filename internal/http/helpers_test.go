package http_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/event"
	httpapi "bullpen/internal/http"
	"bullpen/internal/ingest"
	"bullpen/internal/live"
	"bullpen/internal/openapitest"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

const adminSecret = "test-admin-token-0123456789"

// env is one test's server on its own PostgreSQL schema and Redis key prefix.
type env struct {
	t        *testing.T
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

func randomName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testConfig gives a fresh, migrated schema and a fresh Redis prefix; testenv fails the test
// when the services are not configured.
func testConfig(t *testing.T) config.Config {
	t.Helper()
	return config.Config{
		DatabaseURL:     testenv.Schema(t),
		RedisURL:        testenv.RedisURL(t),
		RedisPrefix:     "test-" + randomName(t),
		KafkaBrokers:    []string{"127.0.0.1:1"},
		KafkaTopic:      "deals",
		AdminToken:      adminSecret,
		Currency:        "USD",
		ShutdownTimeout: 5 * time.Second,
	}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cfg := testConfig(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	store, err := redis.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := store.Flush(context.Background()); err != nil {
			t.Errorf("flush redis: %v", err)
		}
		_ = store.Close()
	})
	e := &env{t: t, cfg: cfg, db: db, store: store, producer: &fakeProducer{}}
	e.srv = httpapi.New(app.APIDeps(httpapi.Deps{Producer: e.producer,
		AdminToken: cfg.AdminToken, Currency: cfg.Currency, Logger: testLogger(t)}, db, store))
	// As the server's wiring does: the sockets mounted, so the routes are the served ones.
	e.srv.MountSockets(app.NewSockets(e.srv, store, live.Deps{Logger: testLogger(t)}))
	return e
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// response is a finished request.
type response struct {
	Status int
	Header nethttp.Header
	Body   []byte
}

// do sends a request; body is JSON-encoded unless it is a string or []byte. headers are
// name, value pairs.
func (e *env) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.App().Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	out := response{Status: res.StatusCode, Header: res.Header, Body: b}
	e.checkOpenAPI(req, r, out)
	return out
}

// checkOpenAPI holds the exchange to docs/openapi.json (see openapitest.Check), so that the
// document cannot drift from what the handlers do.
func (e *env) checkOpenAPI(req *nethttp.Request, body io.Reader, res response) {
	e.t.Helper()
	var sent []byte
	if s, ok := body.(io.Seeker); ok { // the server read the body: rewind it
		if _, err := s.Seek(0, io.SeekStart); err != nil {
			e.t.Fatal(err)
		}
		sent, _ = io.ReadAll(body)
	}
	openapitest.Check(e.t, openapitest.Exchange{Method: req.Method, Path: req.URL.RequestURI(), Header: req.Header,
		Body: sent, Status: res.Status, ResHeader: res.Header, ResBody: res.Body})
}

// want fails the test unless the response has status, and decodes its body into v (if not nil).
func (r response) want(t *testing.T, status int, v any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("decode %s: %v", r.Body, err)
		}
	}
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// wantError fails the test unless the response is the error status, code and field.
func (r response) wantError(t *testing.T, status int, code, field string) apiError {
	t.Helper()
	var e apiError
	r.want(t, status, &e)
	if e.Error.Code != code || e.Error.Field != field {
		t.Fatalf("error code %q field %q (%s), want %q %q", e.Error.Code, e.Error.Field, e.Error.Message, code, field)
	}
	if e.Error.Message == "" {
		t.Fatalf("error without a message: %s", r.Body)
	}
	return e
}

type minted struct {
	ID    string `json:"id"`
	Token string `json:"token"`
	Role  string `json:"role"`
}

// mustMint mints a token with the by token.
func (e *env) mustMint(by string, role bullpen.Role, repID string) minted {
	e.t.Helper()
	body := map[string]any{"role": role, "name": string(role) + " for tests"}
	if repID != "" {
		body["rep_id"] = repID
	}
	var m minted
	e.do("POST", "/api/v1/tokens", by, body).want(e.t, 201, &m)
	if m.ID == "" || !strings.HasPrefix(m.Token, "bp_") {
		e.t.Fatalf("minted %+v", m)
	}
	return m
}

type contestView struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Metric    string `json:"metric"`
	Status    string `json:"status"`
	CreatedBy string `json:"created_by"`
	UpdatedBy string `json:"updated_by"`
}

// contestBody is a valid revenue leaderboard running from start for a month.
func contestBody(name string, start time.Time) map[string]any {
	return map[string]any{
		"name": name, "metric": "revenue", "scope": "rep",
		"starts_at": start.UTC().Format(time.RFC3339), "ends_at": start.Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339),
		"timezone": "America/New_York", "prizes": []map[string]any{{"rank": 1, "points": 500}},
	}
}

func (e *env) mustCreateContest(body map[string]any) contestView {
	e.t.Helper()
	var c contestView
	e.do("POST", "/api/v1/contests", adminSecret, body).want(e.t, 201, &c)
	if c.ID == "" {
		e.t.Fatalf("contest without id")
	}
	return c
}

// mustApply records events in the ledger as the consumer would.
func (e *env) mustApply(raws ...string) {
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
	if _, err := e.db.ApplyBatch(context.Background(), evs, sources); err != nil {
		e.t.Fatalf("apply: %v", err)
	}
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
