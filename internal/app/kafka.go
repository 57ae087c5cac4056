package app

import (
	"bullpen/internal/config"
	"bullpen/internal/kafka"
)

// KafkaCluster is the brokers reached as the configuration says: its TLS and SASL login, for
// every Kafka connection of both processes.
func KafkaCluster(cfg config.Config) (kafka.Cluster, error) {
	tlsConfig, err := cfg.KafkaTLSConfig()
	if err != nil {
		return kafka.Cluster{}, err
	}
	return kafka.NewCluster(cfg.KafkaBrokers, tlsConfig,
		kafka.Login{Mechanism: cfg.KafkaSASLMechanism, Username: cfg.KafkaSASLUsername, Password: cfg.KafkaSASLPassword})
}
