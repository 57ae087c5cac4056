package pipeline

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"bullpen/internal/ingest"
)

// Metrics counts what the pipeline does, for /metrics.
type Metrics struct {
	events  *prometheus.CounterVec
	retries *prometheus.CounterVec
	batch   prometheus.Histogram
	steps   *prometheus.HistogramVec
	age     prometheus.Histogram
}

// NewMetrics registers the pipeline's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bullpen_consumer_events_total", Help: "Events handled, by outcome (applied, duplicate, dead_letter).",
		}, []string{"outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bullpen_consumer_retries_total", Help: "Passing failures retried, by step.",
		}, []string{"step"}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bullpen_consumer_batch_seconds", Help: "Time to apply and project one batch.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bullpen_consumer_step_seconds", Help: "Time of one batch's steps: ledger (the PostgreSQL transaction), projection (Redis); publish: one page of live messages from the outbox to Redis (a PostgreSQL transaction around the Redis publish).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"step"}),
		age: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "bullpen_consumer_event_age_seconds",
			Help:    "Age of a batch's oldest event (its Kafka timestamp) when the batch starts to apply: how far behind the consumer runs.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 18),
		}),
	}
	reg.MustRegister(m.events, m.retries, m.batch, m.steps, m.age)
	for _, outcome := range []string{"applied", "duplicate", "dead_letter"} {
		m.events.WithLabelValues(outcome) // shown as 0 from the start, so rates work at once
	}
	return m
}

// applied counts a batch that took ledger + projection, whose oldest event was age old when
// it started.
func (m *Metrics) applied(r ingest.Result, age, ledger, projection time.Duration) {
	if m == nil {
		return
	}
	m.events.WithLabelValues("applied").Add(float64(r.Applied))
	m.events.WithLabelValues("duplicate").Add(float64(r.Duplicates))
	m.batch.Observe((ledger + projection).Seconds())
	m.steps.WithLabelValues("ledger").Observe(ledger.Seconds())
	m.steps.WithLabelValues("projection").Observe(projection.Seconds())
	m.age.Observe(max(age, 0).Seconds())
}

func (m *Metrics) step(name string, d time.Duration) {
	if m != nil {
		m.steps.WithLabelValues(name).Observe(d.Seconds())
	}
}

func (m *Metrics) deadLettered(l []DeadLetter) {
	if m != nil {
		m.events.WithLabelValues("dead_letter").Add(float64(len(l)))
	}
}

func (m *Metrics) retried(step string) {
	if m != nil {
		m.retries.WithLabelValues(step).Inc()
	}
}
