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
	}
	reg.MustRegister(m.events, m.retries, m.batch)
	for _, outcome := range []string{"applied", "duplicate", "dead_letter"} {
		m.events.WithLabelValues(outcome) // shown as 0 from the start, so rates work at once
	}
	return m
}

func (m *Metrics) applied(r ingest.Result, d time.Duration) {
	if m == nil {
		return
	}
	m.events.WithLabelValues("applied").Add(float64(r.Applied))
	m.events.WithLabelValues("duplicate").Add(float64(r.Duplicates))
	m.batch.Observe(d.Seconds())
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
