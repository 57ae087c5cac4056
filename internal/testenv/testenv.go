// Package testenv gives integration tests their own corner of the real services started by
// scripts/services.sh: a PostgreSQL schema, a Redis key prefix and Kafka topics per test, so
// tests can run in parallel. It is the only place a test learns where the services are, so
// there is one policy for a missing service: the test fails, under `make test` and anywhere
// else; it never skips and never passes without them.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/config"
	"bullpen/internal/postgres"
)

// Name returns a short random name with prefix, valid as a schema, key prefix or topic.
func Name(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func mustEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: start the services with `eval \"$(scripts/services.sh up)\"` or run `make test`", name)
	}
	return v
}

// RedisURL is the shared Redis; a test keeps to a key prefix of its own (Name).
func RedisURL(t testing.TB) string {
	t.Helper()
	return mustEnv(t, "BULLPEN_REDIS_URL")
}

// KafkaBrokers are the shared broker's addresses; a test keeps to topics of its own (Topics).
func KafkaBrokers(t testing.TB) []string {
	t.Helper()
	return strings.Split(mustEnv(t, "BULLPEN_KAFKA_BROKERS"), ",")
}

// Option changes what Config sets up.
type Option func(*options)

type options struct {
	brokers  []string
	database string
}

// WithBrokers uses other Kafka brokers (a private one) instead of the shared broker.
func WithBrokers(brokers []string) Option { return func(o *options) { o.brokers = brokers } }

// WithDatabase puts the test's schema in another database (a private server's) instead of the
// shared one.
func WithDatabase(url string) Option { return func(o *options) { o.database = url } }

// Config returns a configuration for one test: its own schema (migrated), Redis prefix,
// topics and consumer group, a grace of seconds and a short session timeout.
func Config(t testing.TB, opts ...Option) config.Config {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := config.Load(":0")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if o.database == "" {
		o.database = mustEnv(t, "BULLPEN_DATABASE_URL")
	}
	cfg.DatabaseURL = schemaIn(t, o.database)
	cfg.RedisURL = RedisURL(t)
	cfg.RedisPrefix = Name("t")
	cfg.KafkaBrokers = o.brokers
	if cfg.KafkaBrokers == nil {
		cfg.KafkaBrokers = KafkaBrokers(t)
	}
	cfg.KafkaTopic, cfg.KafkaDLQTopic = Topics(t, cfg.KafkaBrokers, 6)
	cfg.KafkaGroup = Name("g")
	cfg.KafkaSessionTimeout = 6 * time.Second
	cfg.Grace = 2 * time.Second
	cfg.AdminToken = "test-admin-token-0123456789"
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.WebhookAllowPrivate = true // the tests' receivers are on loopback
	return cfg
}

// Schema creates a fresh schema, migrates it and returns a database URL that uses it. The
// schema is dropped when the test ends.
func Schema(t testing.TB) string {
	t.Helper()
	return schemaIn(t, mustEnv(t, "BULLPEN_DATABASE_URL"))
}

func schemaIn(t testing.TB, base string) string {
	t.Helper()
	// Migrating a fresh schema takes about a second; on a machine saturated by parallel suites
	// it has taken more than 30 s, and failed tests that do not test migrations at all.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc, err := postgres.NewScratch(ctx, base, "t_")
	if sc != nil {
		t.Cleanup(func() {
			if os.Getenv("BULLPEN_KEEP_TEST_DATA") != "" {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = sc.Drop(ctx)
		})
	}
	if err != nil {
		t.Fatalf("scratch schema: %v", err)
	}
	return sc.URL("")
}

// Topics creates an input topic with partitions and a dead-letter topic, deleted at the end.
func Topics(t testing.TB, brokers []string, partitions int) (string, string) {
	t.Helper()
	topic := Name("deals-")
	dlq := topic + ".dlq"
	conn := controller(t, brokers)
	defer func() { _ = conn.Close() }()
	err := conn.CreateTopics(
		kafkago.TopicConfig{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1},
		kafkago.TopicConfig{Topic: dlq, NumPartitions: 1, ReplicationFactor: 1},
	)
	if err != nil {
		t.Fatalf("create topics: %v", err)
	}
	waitForTopic(t, brokers[0], topic, partitions)
	waitForTopic(t, brokers[0], dlq, 1)
	t.Cleanup(func() {
		c := controller(t, brokers)
		defer func() { _ = c.Close() }()
		_ = c.DeleteTopics(topic, dlq)
	})
	return topic, dlq
}

// waitForTopic waits until every partition of a new topic has a leader: creation returns
// before the broker can take writes.
func waitForTopic(t testing.TB, broker, topic string, partitions int) {
	t.Helper()
	Eventually(t, 30*time.Second, "topic "+topic, func() bool {
		conn, err := kafkago.Dial("tcp", broker)
		if err != nil {
			return false
		}
		defer func() { _ = conn.Close() }()
		ps, err := conn.ReadPartitions(topic)
		if err != nil || len(ps) != partitions {
			return false
		}
		for _, p := range ps {
			if p.Leader.Port == 0 {
				return false
			}
		}
		return true
	})
}

func brokerAnswers(broker string) bool {
	conn, err := kafkago.DialContext(context.Background(), "tcp", broker)
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	_, err = conn.Brokers()
	return err == nil
}

func controller(t testing.TB, brokers []string) *kafkago.Conn {
	t.Helper()
	conn, err := kafkago.Dial("tcp", brokers[0])
	if err != nil {
		t.Fatalf("kafka: %v", err)
	}
	defer func() { _ = conn.Close() }()
	c, err := conn.Controller()
	if err != nil {
		t.Fatalf("kafka controller: %v", err)
	}
	cc, err := kafkago.Dial("tcp", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
	if err != nil {
		t.Fatalf("kafka controller: %v", err)
	}
	return cc
}

// Eventually polls cond every 50 ms until it returns true or timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Poll(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// Poll checks cond every 50 ms until it holds or timeout passes, and says which. Unlike
// Eventually it does not fail the test, so a test can count what it has before it fails.
func Poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
