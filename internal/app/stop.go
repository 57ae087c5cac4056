package app

import (
	"time"

	"bullpen/internal/config"
	"bullpen/internal/kafka"
	"bullpen/internal/live"
)

// ServerStopBudget is the longest the server takes to exit once told to stop (SIGTERM) with
// cfg; a supervisor's grace period must exceed it, or it kills the process mid-drain
// (deploy/k8s: terminationGracePeriodSeconds, held to this by its test). In order: the sockets
// told 1001 and waited for (live.MaxDrain), the HTTP shutdown (BULLPEN_SHUTDOWN_TIMEOUT), the
// metrics listener, the stores (closeWait). The Kafka producer has nothing left to send: each
// request waits for its own events.
func ServerStopBudget(cfg config.Config) time.Duration {
	return live.MaxDrain(live.Options{}) + cfg.ShutdownTimeout + metricsStopWait + closeWait
}

// ConsumerStopBudget is the same for the consumer: the batch in hand committed
// (kafka.CommitWait) while the health listener shuts down (BULLPEN_SHUTDOWN_TIMEOUT), then the
// metrics listener and the stores. A batch fetched but not applied is left for redelivery.
func ConsumerStopBudget(cfg config.Config) time.Duration {
	return max(kafka.CommitWait, cfg.ShutdownTimeout) + metricsStopWait + closeWait
}
