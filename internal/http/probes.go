package http

// The operators' paths, served by both processes beside their work (the consumer's own mux:
// internal/app/consumer.go). Kubernetes' probes and the scrape annotations name them
// (deploy/k8s, whose test imports these).
const (
	// HealthPath answers 200 while the process runs: the liveness and startup probes.
	HealthPath = "/healthz"
	// ReadyPath answers 200 when PostgreSQL, Redis and Kafka answer, else 503: the readiness probe.
	ReadyPath = "/readyz"
	// MetricsPath is Prometheus' page: on BULLPEN_METRICS_ADDR when set, else here.
	MetricsPath = "/metrics"
)
