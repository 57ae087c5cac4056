// Command hookbench measures outbound webhooks: deliveries per second, and the latency from a
// deal won being applied to the ledger to the webhook request reaching its receiver (p50, p99),
// at a given rate of deals, with N local receivers and M endpoints (each subscribed to
// celebrations, spread over the receivers).
//
// It runs the parts of the consumer that webhooks use, in one process, on a fresh PostgreSQL
// schema: deals are applied by the ledger's batch transaction (postgres.DB.ApplyBatch, which
// queues one delivery per endpoint with each celebration), a batch every 10 ms as the consumer
// would cut them, and the production deliverer (webhook.Deliverer, its default workers and
// schedule, a pool of its own) sends them to the receivers on loopback. Kafka and the
// consumer's batching are not in the figure (docs/benchmarks.md has them: event → screen).
//
//	eval "$(scripts/services.sh up)"
//	go run ./tools/hookbench -receivers 4 -endpoints 8 -rate 100 -duration 30s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
	"bullpen/internal/postgres"
	"bullpen/internal/webhook"
)

type options struct {
	receivers, endpoints int
	rate                 float64
	duration, drain      time.Duration
	delay                time.Duration
	database             string
	asJSON               bool
}

type result struct {
	Receivers          int     `json:"receivers"`
	Endpoints          int     `json:"endpoints"`
	Rate               float64 `json:"deals_per_second"`
	Deals              int     `json:"deals"`
	Expected           int     `json:"deliveries_expected"`
	Delivered          int     `json:"deliveries"`
	DeliveriesPerSec   float64 `json:"deliveries_per_second"`
	LatencyP50Ms       float64 `json:"latency_p50_ms"`
	LatencyP99Ms       float64 `json:"latency_p99_ms"`
	LatencyMaxMs       float64 `json:"latency_max_ms"`
	ReceiverDelayMs    float64 `json:"receiver_delay_ms"`
	DeliverySeconds    float64 `json:"seconds"`
	AllDeliveredInTime bool    `json:"all_delivered"`
}

func main() {
	var o options
	flag.IntVar(&o.receivers, "receivers", 4, "local HTTP receivers")
	flag.IntVar(&o.endpoints, "endpoints", 8, "webhook endpoints, spread over the receivers")
	flag.Float64Var(&o.rate, "rate", 100, "deals won per second")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long deals are applied")
	flag.DurationVar(&o.drain, "drain", 60*time.Second, "how long to wait after the last deal for the deliveries")
	flag.DurationVar(&o.delay, "receiver-delay", 0, "how long each receiver takes to answer")
	flag.StringVar(&o.database, "database", os.Getenv("BULLPEN_DATABASE_URL"), "PostgreSQL (a scratch schema is made in it and dropped)")
	flag.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "hookbench:", err)
		os.Exit(1)
	}
}

// arrivals keeps when each (endpoint, deal) first reached a receiver.
type arrivals struct {
	mu      sync.Mutex
	applied map[string]time.Time // deal -> when its batch was handed to the ledger
	got     map[string]time.Duration
	last    time.Time
}

func (a *arrivals) receive(w http.ResponseWriter, r *http.Request, delay time.Duration) {
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	var msg struct {
		Data struct {
			DealID string `json:"deal_id"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &msg)
	key := r.URL.Path + " " + msg.Data.DealID
	a.mu.Lock()
	if _, seen := a.got[key]; !seen {
		a.got[key] = now.Sub(a.applied[msg.Data.DealID])
		a.last = now
	}
	a.mu.Unlock()
	time.Sleep(delay)
	w.WriteHeader(http.StatusNoContent)
}

func run(o options) error {
	if o.database == "" || o.receivers < 1 || o.endpoints < 1 || o.rate <= 0 {
		return fmt.Errorf("need -database (or BULLPEN_DATABASE_URL), -receivers, -endpoints and -rate above 0")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sc, err := postgres.NewScratch(ctx, o.database, "hookbench_")
	if sc != nil {
		defer func() { _ = sc.Drop(context.WithoutCancel(ctx)) }()
	}
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, sc.URL("hookbench"))
	if err != nil {
		return err
	}
	defer db.Close()
	queue, err := postgres.Open(ctx, sc.URL("hookbench-deliverer"))
	if err != nil {
		return err
	}
	defer queue.Close()

	a := &arrivals{applied: map[string]time.Time{}, got: map[string]time.Duration{}}
	var urls []string
	for range o.receivers {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.receive(w, r, o.delay) }),
			ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer func() { _ = srv.Close() }()
		urls = append(urls, "http://"+ln.Addr().String())
	}
	for i := range o.endpoints {
		e := webhook.Endpoint{URL: fmt.Sprintf("%s/e%d", urls[i%len(urls)], i), Events: []string{webhook.EventCelebration},
			Format: webhook.FormatBullpen, CreatedBy: bullpen.AdminTokenID}
		if err := db.CreateWebhook(ctx, &e, webhook.NewSecret()); err != nil {
			return err
		}
	}
	d := &webhook.Deliverer{Queue: queue, Client: webhook.NewClient(webhook.Guard{AllowPrivate: true}, webhook.Timeout),
		Schedule: webhook.DefaultSchedule, Renderer: webhook.Renderer{Currency: "USD"},
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	go func() { _ = d.Run(ctx) }()

	deals, err := apply(ctx, db, d, a, o)
	if err != nil {
		return err
	}
	expected := deals * o.endpoints
	deadline := time.Now().Add(o.drain)
	for time.Now().Before(deadline) {
		a.mu.Lock()
		n := len(a.got)
		a.mu.Unlock()
		if n >= expected {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return report(a, o, deals, expected)
}

// apply hands deals to the ledger at the rate, a batch every 10 ms, and kicks the deliverer
// after each (as the consumer does); it returns how many.
func apply(ctx context.Context, db *postgres.DB, d *webhook.Deliverer, a *arrivals, o options) (int, error) {
	const tick = 10 * time.Millisecond
	start := time.Now()
	t := time.NewTicker(tick)
	defer t.Stop()
	n := 0
	for now := range t.C {
		if now.Sub(start) >= o.duration {
			break
		}
		due := int(o.rate * now.Sub(start).Seconds())
		if due <= n {
			continue
		}
		evs := make([]event.Event, 0, due-n)
		sources := make([]string, 0, due-n)
		at := time.Now()
		a.mu.Lock()
		for ; n < due; n++ {
			deal := fmt.Sprintf("D-%07d", n)
			raw := fmt.Sprintf(`{"event_id":"ev-%s","type":"deal.won","rep_id":"rep-%d","deal_id":"%s","amount":100,"occurred_at":%q}`,
				deal, n%200, deal, at.UTC().Format(time.RFC3339))
			ev, err := event.Decode([]byte(raw), "USD")
			if err != nil {
				a.mu.Unlock()
				return n, err
			}
			evs, sources = append(evs, ev), append(sources, "hookbench")
			a.applied[deal] = at
		}
		a.mu.Unlock()
		if _, err := db.ApplyBatch(ctx, evs, sources); err != nil {
			return n, err
		}
		d.Kick()
	}
	return n, nil
}

func report(a *arrivals, o options, deals, expected int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	lat := make([]time.Duration, 0, len(a.got))
	first := time.Time{}
	for _, at := range a.applied {
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	for _, l := range a.got {
		lat = append(lat, l)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	secs := a.last.Sub(first).Seconds()
	r := result{Receivers: o.receivers, Endpoints: o.endpoints, Rate: o.rate, Deals: deals, Expected: expected,
		Delivered: len(lat), LatencyP50Ms: pct(0.50), LatencyP99Ms: pct(0.99), ReceiverDelayMs: float64(o.delay.Microseconds()) / 1000,
		DeliverySeconds: secs, AllDeliveredInTime: len(lat) >= expected}
	if len(lat) > 0 {
		r.LatencyMaxMs = float64(lat[len(lat)-1].Microseconds()) / 1000
	}
	if secs > 0 {
		r.DeliveriesPerSec = float64(len(lat)) / secs
	}
	if o.asJSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	fmt.Printf("%d receivers, %d endpoints, %.0f deals/s for %d deals: %d of %d deliveries in %.1f s (%.0f/s)\n",
		r.Receivers, r.Endpoints, r.Rate, r.Deals, r.Delivered, r.Expected, r.DeliverySeconds, r.DeliveriesPerSec)
	fmt.Printf("deal applied → webhook request: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", r.LatencyP50Ms, r.LatencyP99Ms, r.LatencyMaxMs)
	if !r.AllDeliveredInTime {
		return fmt.Errorf("%d deliveries missing after the drain", expected-len(lat))
	}
	return nil
}
