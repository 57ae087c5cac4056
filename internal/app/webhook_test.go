package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/event"
	"bullpen/internal/postgres"
	"bullpen/internal/testenv"
	"bullpen/internal/webhook"
)

// receiver is a real local HTTP receiver. Each request is answered by the next of script (the
// last one is repeated): "ok" (204), "500", "hang" (no answer until the client gives up) or
// "close" (the connection closed, no answer). It keeps what it heard.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	script []string
	n      int
	// acked: the delivery ids answered 2xx, in order, with the deal each told of.
	acked     []string
	deals     []string
	inFlight  map[string]bool // delivery ids being answered now
	overlap   []string        // ids heard again while still being answered
	afterAck  []string        // ids heard again after a 2xx
	requests  int
	bodies    [][]byte
	headers   []http.Header
	hangStart chan struct{}
}

func newReceiver(t *testing.T, script ...string) *receiver {
	r := &receiver{t: t, script: script, inFlight: map[string]bool{}, hangStart: make(chan struct{}, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	step := r.script[min(r.n, len(r.script)-1)]
	r.n++
	r.requests++
	r.bodies, r.headers = append(r.bodies, body), append(r.headers, req.Header.Clone())
	if r.inFlight[id] {
		r.overlap = append(r.overlap, id)
	}
	if slices.Contains(r.acked, id) {
		r.afterAck = append(r.afterAck, id)
	}
	r.inFlight[id] = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.inFlight, id)
		r.mu.Unlock()
	}()
	switch step {
	case "500":
		w.WriteHeader(500)
	case "hang":
		r.hangStart <- struct{}{}
		<-req.Context().Done()
	case "close":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	default:
		var msg struct {
			Data struct {
				DealID string `json:"deal_id"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &msg)
		r.mu.Lock()
		r.acked, r.deals = append(r.acked, id), append(r.deals, msg.Data.DealID)
		r.mu.Unlock()
		w.WriteHeader(204)
	}
}

func (r *receiver) url() string { return r.srv.URL + "/hook" }

func (r *receiver) ackedDeals() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.deals)
}

// checkOnce fails the test when an id was heard again while being answered or after a 2xx.
func (r *receiver) checkOnce() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.overlap) > 0 || len(r.afterAck) > 0 {
		r.t.Errorf("%s: ids sent while being answered %v, sent again after a 2xx %v", r.srv.URL, r.overlap, r.afterAck)
	}
	seen := map[string]bool{}
	for _, id := range r.acked {
		if seen[id] {
			r.t.Errorf("%s: id %s acknowledged twice", r.srv.URL, id)
		}
		seen[id] = true
	}
}

// webhookEnv is a test's schema with endpoints, and deals won applied one batch each (each
// batch queues one celebration per subscribed endpoint).
type webhookEnv struct {
	t   *testing.T
	cfg config.Config
	db  *postgres.DB
}

func newWebhookEnv(t *testing.T) *webhookEnv {
	cfg := config.Config{DatabaseURL: testenv.Schema(t)}
	return &webhookEnv{t: t, cfg: cfg, db: openDB(t, cfg)}
}

func (e *webhookEnv) endpoint(url string, events ...string) (webhook.Endpoint, string) {
	e.t.Helper()
	if len(events) == 0 {
		events = []string{webhook.EventCelebration}
	}
	ep := webhook.Endpoint{URL: url, Events: events, Format: webhook.FormatBullpen, CreatedBy: bullpen.AdminTokenID}
	secret := webhook.NewSecret()
	if err := e.db.CreateWebhook(context.Background(), &ep, secret); err != nil {
		e.t.Fatal(err)
	}
	return ep, secret
}

// wins applies deals won, one batch each, and returns the deal ids in order.
func (e *webhookEnv) wins(prefix string, n int) []string {
	e.t.Helper()
	var deals []string
	for i := range n {
		deal := fmt.Sprintf("%s-%03d", prefix, i)
		raw := fmt.Sprintf(`{"event_id":"ev-%s","type":"deal.won","rep_id":"rep-%d","deal_id":"%s","amount":100,"occurred_at":"2026-06-01T10:00:00Z"}`,
			deal, i%3, deal)
		ev, err := event.Decode([]byte(raw), "USD")
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.db.ApplyBatch(context.Background(), []event.Event{ev}, []string{"test"}); err != nil {
			e.t.Fatal(err)
		}
		deals = append(deals, deal)
	}
	return deals
}

// deliverer runs a deliverer on db until the test ends: quick retries, the given request
// timeout, private addresses allowed (the receivers are on loopback).
func (e *webhookEnv) deliverer(timeout time.Duration, now func() time.Time) *webhook.Deliverer {
	e.t.Helper()
	d := &webhook.Deliverer{Queue: e.db, Client: webhook.NewClient(webhook.Guard{AllowPrivate: true}, timeout),
		Schedule: webhook.Schedule{Base: 10 * time.Millisecond, Cap: 100 * time.Millisecond, GiveUpAfter: 24 * time.Hour},
		Renderer: webhook.Renderer{Currency: "USD"}, Workers: 4, Poll: 20 * time.Millisecond, Now: now, Log: testenv.Logger(e.t)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(ctx)
	}()
	e.t.Cleanup(func() {
		cancel()
		<-done
	})
	return d
}

func TestWebhooksAreRetriedThroughFailuresHangsAndClosedConnectionsAndArriveInOrderOnce(t *testing.T) {
	e := newWebhookEnv(t)
	flaky := newReceiver(t, "500", "hang", "close", "ok", "500", "ok", "close", "ok")
	steady := newReceiver(t, "ok")
	e.endpoint(flaky.url())
	e.endpoint(steady.url())
	deals := e.wins("d", 12)
	e.deliverer(300*time.Millisecond, nil)
	testenv.Eventually(t, 60*time.Second, "every deal delivered to both receivers", func() bool {
		return len(flaky.ackedDeals()) >= len(deals) && len(steady.ackedDeals()) >= len(deals)
	})
	time.Sleep(100 * time.Millisecond) // room for a wrong resend to show
	for _, r := range []*receiver{flaky, steady} {
		if got := r.ackedDeals(); !slices.Equal(got, deals) {
			t.Errorf("%s acknowledged %v, want %v in order", r.srv.URL, got, deals)
		}
		r.checkOnce()
	}
	// The log has every attempt: the flaky receiver's failures with their errors, then 2xx.
	log, err := e.db.WebhookAttempts(context.Background(), mustEndpointOf(t, e, flaky.url()), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != flaky.requests {
		t.Errorf("log has %d attempts, the receiver heard %d requests", len(log), flaky.requests)
	}
	last := log[len(log)-1] // the oldest: the first attempt, a 500
	if last.Status == nil || *last.Status != 500 || last.Error == nil || last.NextAttempt == nil {
		t.Errorf("first attempt logged as %+v", last)
	}
	var timeouts, closed int
	for _, a := range log {
		if a.Status == nil && a.Error != nil {
			if a.LatencyMS >= 250 {
				timeouts++
			} else {
				closed++
			}
		}
	}
	if timeouts != 1 || closed != 2 {
		t.Errorf("log: %d timeouts (want 1) and %d closed connections (want 2): %+v", timeouts, closed, log)
	}
}

func mustEndpointOf(t *testing.T, e *webhookEnv, url string) string {
	t.Helper()
	eps, err := e.db.Webhooks(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range eps {
		if ep.URL == url {
			return ep.ID
		}
	}
	t.Fatalf("no endpoint %s", url)
	return ""
}

func TestADeadReceiverDoesNotDelayAnotherEndpoint(t *testing.T) {
	e := newWebhookEnv(t)
	dead := newReceiver(t, "hang")
	live := newReceiver(t, "ok")
	e.endpoint(dead.url())
	e.endpoint(live.url())
	deals := e.wins("d", 15)
	// The dead receiver's first request hangs for as long as the test runs (a minute's
	// timeout): everything the live one gets, it gets while that request hangs.
	e.deliverer(time.Minute, nil)
	select {
	case <-dead.hangStart:
	case <-time.After(30 * time.Second):
		t.Fatal("the dead receiver was never tried")
	}
	testenv.Eventually(t, 30*time.Second, "the live receiver gets every deal", func() bool {
		return len(live.ackedDeals()) == len(deals)
	})
	if got := live.ackedDeals(); !slices.Equal(got, deals) {
		t.Errorf("live receiver got %v, want %v", got, deals)
	}
	dead.mu.Lock()
	defer dead.mu.Unlock()
	if dead.requests != 1 {
		t.Errorf("the dead receiver heard %d requests while its first hung, want 1 (its line waits)", dead.requests)
	}
}

func TestTwoDeliverersNeverSendOneDeliveryAtOnceAndKeepEachLineInOrder(t *testing.T) {
	e := newWebhookEnv(t)
	var rs []*receiver
	for range 3 {
		r := newReceiver(t, "ok", "500", "ok", "ok", "close", "ok", "ok", "ok", "500", "ok")
		e.endpoint(r.url())
		rs = append(rs, r)
	}
	deals := e.wins("d", 20)
	// Two deliverers of their own pools, as two consumer processes.
	other := &webhookEnv{t: t, cfg: e.cfg, db: openDB(t, e.cfg)}
	e.deliverer(time.Second, nil)
	other.deliverer(time.Second, nil)
	testenv.Eventually(t, 60*time.Second, "every deal delivered", func() bool {
		for _, r := range rs {
			if len(r.ackedDeals()) < len(deals) {
				return false
			}
		}
		return true
	})
	time.Sleep(100 * time.Millisecond)
	for _, r := range rs {
		if got := r.ackedDeals(); !slices.Equal(got, deals) {
			t.Errorf("%s acknowledged %v, want %v", r.srv.URL, got, deals)
		}
		r.checkOnce()
	}
}

func TestAnEndpointFailingFor24HoursIsDisabledAndNotBefore(t *testing.T) {
	e := newWebhookEnv(t)
	down := newReceiver(t, "500")
	ep, _ := e.endpoint(down.url())
	e.wins("d", 2)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
	}
	e.deliverer(time.Second, clock)
	attempts := func(n int) []webhookAttempt {
		t.Helper()
		var log []webhookAttempt
		testenv.Eventually(t, 30*time.Second, fmt.Sprintf("%d attempts", n), func() bool {
			log = attemptsOf(t, e.db, ep.ID)
			return len(log) >= n
		})
		return log
	}
	attempts(1)
	advance(23*time.Hour + 59*time.Minute)
	if log := attempts(2); log[0].GaveUp || log[0].NextAttempt == nil {
		t.Fatalf("gave up before 24 h: %+v", log[0])
	}
	got, err := e.db.Webhook(context.Background(), ep.ID)
	if err != nil || !got.Enabled || got.FailingSince == nil || got.Pending != 2 {
		t.Fatalf("after 23:59 failing: %+v, %v", got, err)
	}
	advance(2 * time.Minute)
	if log := attempts(3); !log[0].GaveUp || log[0].NextAttempt != nil {
		t.Fatalf("did not give up at 24 h: %+v", log[0])
	}
	got, err = e.db.Webhook(context.Background(), ep.ID)
	if err != nil || got.Enabled || got.DisabledAt == nil || got.DisabledReason == nil || got.Pending != 1 {
		t.Fatalf("after 24 h failing: %+v, %v", got, err)
	}
	// Disabled, the rest of its line waits: no further request, and new messages queue nothing.
	advance(time.Hour)
	e.wins("e", 1)
	time.Sleep(200 * time.Millisecond)
	if n := len(attemptsOf(t, e.db, ep.ID)); n != 3 {
		t.Errorf("%d attempts after it was disabled, want 3", n)
	}
	var queued int
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM webhook_deliveries`).Scan(&queued); err != nil || queued != 2 {
		t.Errorf("%d deliveries queued, want 2 (none for a disabled endpoint), %v", queued, err)
	}
	var actor string
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT by FROM changes WHERE action = 'webhook.disable' AND subject = $1`,
		ep.ID).Scan(&actor); err != nil || actor != bullpen.SystemActor {
		t.Errorf("audit of the disabling: %q, %v", actor, err)
	}
}

type webhookAttempt = webhook.Attempt

func attemptsOf(t *testing.T, db *postgres.DB, id string) []webhookAttempt {
	t.Helper()
	log, err := db.WebhookAttempts(context.Background(), id, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// End to end: a deal won on Kafka, through the consumer's pipeline, reaches a registered
// receiver as a signed celebration that verifies by the documented scheme.
func TestADealWonReachesAWebhookAsASignedCelebration(t *testing.T) {
	cfg := testenv.Config(t)
	db := openDB(t, cfg)
	r := newReceiver(t, "ok")
	e := &webhookEnv{t: t, cfg: cfg, db: db}
	ep, secret := e.endpoint(r.url(), webhook.EventCelebration, webhook.EventReward)
	startConsumer(t, cfg)
	produce(t, cfg, won("ev-1", "ana", "D-77", 1250))
	testenv.Eventually(t, 60*time.Second, "the celebration delivered", func() bool { return len(r.ackedDeals()) == 1 })
	r.mu.Lock()
	body, h := r.bodies[0], r.headers[0]
	r.mu.Unlock()
	id, err := webhook.Verify(secret, h, body, time.Now(), 5*time.Minute)
	if err != nil {
		t.Fatalf("signature: %v (headers %v)", err, h)
	}
	var msg struct {
		ID, Type, Channel string
		Data              struct {
			RepID  string  `json:"rep_id"`
			DealID string  `json:"deal_id"`
			Amount float64 `json:"amount"`
		}
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.ID != id || msg.Type != "celebration" || msg.Channel != "floor" || msg.Data.DealID != "D-77" || msg.Data.RepID != "ana" || msg.Data.Amount != 1250 {
		t.Fatalf("body %s", body)
	}
	if h.Get("Content-Type") != "application/json" {
		t.Errorf("content type %q", h.Get("Content-Type"))
	}
	testenv.Eventually(t, 10*time.Second, "the delivery logged", func() bool {
		log := attemptsOf(t, db, ep.ID)
		return len(log) == 1 && log[0].Status != nil && *log[0].Status == 204 && log[0].DeliveryID == id
	})
}
