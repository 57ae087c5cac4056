// Package app wires the processes together: it is where every concrete type meets. The
// commands in cmd/ only read the configuration and call Run*.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"bullpen/internal/build"
	"bullpen/internal/config"
	httpapi "bullpen/internal/http"
	"bullpen/internal/ingest"
	"bullpen/internal/kafka"
	"bullpen/internal/pipeline"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/target"
)

// The adapters implement what the pipeline and its live parts declare they need.
var (
	_ pipeline.Ledger           = (*postgres.DB)(nil)
	_ pipeline.Projection       = (*redis.Store)(nil)
	_ pipeline.DeadLetterer     = (*kafka.DeadLetters)(nil)
	_ pipeline.Source           = (*postgres.DB)(nil)
	_ pipeline.Target           = (*redis.Store)(nil)
	_ pipeline.Outbox           = (*postgres.DB)(nil)
	_ pipeline.Batcher          = (*redis.Store)(nil)
	_ pipeline.Channels         = (*redis.Store)(nil)
	_ pipeline.Boards           = (*redis.Store)(nil)
	_ pipeline.Contests         = (*postgres.DB)(nil)
	_ pipeline.SharedMerge      = (*redis.Store)(nil)
	_ pipeline.Finals           = (*postgres.DB)(nil)
	_ pipeline.Watermark        = (*kafka.Watermark)(nil)
	_ pipeline.Balances         = (*redis.Store)(nil)
	_ pipeline.TargetSets       = (*postgres.DB)(nil)
	_ pipeline.AttainmentValues = (*redis.Store)(nil)
)

// Consumer is a running consumer process; Addr is where its health and metrics listen.
type Consumer struct {
	Addr net.Addr
}

// RunConsumer reads deal events until ctx ends. ready, if not nil, receives the process once
// it listens and has its projection in order.
func RunConsumer(ctx context.Context, cfg config.Config, log *slog.Logger, ready func(Consumer)) error {
	cal, err := Calendar(cfg)
	if err != nil {
		return err
	}
	db, store, closeStores, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStores()
	TuneConsumerGC()
	if rebuilt, err := pipeline.EnsureProjection(ctx, db, store); err != nil {
		return fmt.Errorf("rebuild projection: %w", err)
	} else if rebuilt {
		log.Info("projection rebuilt from the ledger")
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), build.Metric())
	reg.MustRegister(judgingMetrics(db)...)
	cluster, err := KafkaCluster(cfg)
	if err != nil {
		return err
	}
	dlq := kafka.NewDeadLetters(cluster, cfg.KafkaDLQTopic)
	defer func() { _ = dlq.Close() }()
	p := &pipeline.Pipeline{
		Ledger: db, Projection: store, DeadLetters: dlq, Currency: cfg.Currency, Log: log.With("component", "pipeline"),
		Backoff: pipeline.Backoff{Min: 100 * time.Millisecond, Max: 5 * time.Second},
		Metrics: pipeline.NewMetrics(reg),
	}
	publisher := &pipeline.Publisher{Outbox: db, Channels: store, Log: log.With("component", "publisher"), Metrics: p.Metrics}
	merger := &pipeline.Merger{Boards: store, Contests: db, Channels: store, Shared: store, Holder: processID(),
		Interval: 250 * time.Millisecond, Top: 50, Log: log.With("component", "merger"),
		Attainment: &pipeline.AttainmentSender{Sets: db, Values: store, Reps: store, Pace: target.PaceBy(cal, time.Now)}}
	deliverer, closeDeliverer, err := newDeliverer(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDeliverer()
	p.AfterBatch = func(res ingest.Result) {
		merger.Touched(res.Rows)
		merger.TouchedSets(res.Attainment)
		publisher.Kick()
		deliverer.Kick()
	}
	consumer := kafka.NewConsumer(kafka.ConsumerConfig{
		Cluster: cluster, Topic: cfg.KafkaTopic, Group: cfg.KafkaGroup,
		SessionTimeout: cfg.KafkaSessionTimeout, BatchSize: cfg.BatchSize, BatchWait: cfg.BatchWait,
	}, p.Process, log.With("component", "kafka-consumer"))

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("BULLPEN_HTTP_ADDR: %w", err)
	}
	srv := &http.Server{Handler: consumerMux(reg, cfg.MetricsAddr == "", db, store, cluster), ReadHeaderTimeout: 5 * time.Second}
	stopMetrics, err := serveMetrics(cfg.MetricsAddr, reg, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	if ready != nil {
		ready(Consumer{Addr: ln.Addr()})
	}
	log.Info("consumer started", "addr", ln.Addr().String(), "topic", cfg.KafkaTopic, "group", cfg.KafkaGroup)

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return consumer.Run(gctx) })
	g.Go(func() error {
		return pipeline.WatchProjection(gctx, db, store, cfg.ProjectionCheck, log.With("component", "projection-watcher"))
	})
	finalizer := &pipeline.Finalizer{
		Finals: db, Watermark: kafka.NewWatermark(cluster, cfg.KafkaTopic, cfg.KafkaGroup), Balances: store,
		Grace: cfg.Grace, Interval: cfg.FinalizeCheck, Now: time.Now, Log: log.With("component", "finalizer"),
	}
	g.Go(func() error { return finalizer.Run(gctx) })
	g.Go(func() error { return publisher.Run(gctx) })
	g.Go(func() error { return merger.Run(gctx) })
	g.Go(func() error { return deliverer.Run(gctx) })
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), cfg.ShutdownTimeout)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	err = g.Wait()
	log.Info("consumer stopped", "err", err)
	return err
}

func consumerMux(reg *prometheus.Registry, metricsHere bool, db *postgres.DB, store *redis.Store, cluster kafka.Cluster) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+httpapi.HealthPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET "+httpapi.ReadyPath, func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		checks := map[string]error{"postgresql": db.Ping(ctx), "redis": store.Ping(ctx), "kafka": cluster.Ping(ctx)}
		writeReadiness(w, checks)
	})
	if metricsHere {
		mux.Handle("GET "+httpapi.MetricsPath, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	}
	return mux
}

// processID names this consumer process among the others (host, pid and a random part, so a
// restarted process is a new one).
func processID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
}

// judgingMetrics count the reps the batches' achievement pass touched, by how they were judged:
// from what the consumer knew of them ("known": nothing read) or read from the ledger
// ("read").
func judgingMetrics(db *postgres.DB) []prometheus.Collector {
	opts := func(judging string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Name: "bullpen_consumer_achievement_reps_total", ConstLabels: prometheus.Labels{"judging": judging},
			Help: "Reps touched by batches with achievement rules on: judged from what the consumer knew of them (known) or read from the ledger (read)."}
	}
	return []prometheus.Collector{
		prometheus.NewCounterFunc(opts("known"), func() float64 { n, _ := db.JudgedReps(); return float64(n) }),
		prometheus.NewCounterFunc(opts("read"), func() float64 { _, n := db.JudgedReps(); return float64(n) }),
	}
}
