package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/app"
	"bullpen/internal/config"
	"bullpen/internal/event"
	"bullpen/internal/kafka"
	"bullpen/internal/pipeline"
	"bullpen/internal/testenv"
)

// The two programs as they run, through SCRAM-SHA-512: the server's POST /events produces,
// the consumer reads, applies and reports Kafka ready.
func TestTheProgramsRunThroughSASL(t *testing.T) {
	t.Parallel()
	sec := testenv.KafkaSecure(t)
	cfg := testenv.Config(t)
	cfg.KafkaBrokers = []string{sec.SASLAddr}
	cfg.KafkaSASLMechanism, cfg.KafkaSASLUsername, cfg.KafkaSASLPassword = "SCRAM-SHA-512", sec.Username, sec.Password
	db := openDB(t, cfg)
	addr := startConsumer(t, cfg)
	base := startServer(t, cfg)
	if code, body := call(t, "GET", "http://"+addr+"/readyz", "", nil); code != 200 || !strings.Contains(string(body), `"kafka":"ok"`) {
		t.Fatalf("the consumer's /readyz: %d %s", code, body)
	}
	code, body := call(t, "POST", base+"/api/v1/events", cfg.AdminToken, []map[string]any{
		{"event_id": "s1", "type": "deal.won", "occurred_at": "2026-06-02T10:00:00Z", "rep_id": "rep-1", "deal_id": "S1", "amount": 10},
		{"event_id": "s2", "type": "deal.won", "occurred_at": "2026-06-02T10:00:00Z", "rep_id": "rep-2", "deal_id": "S2", "amount": 20},
	})
	if code != 202 {
		t.Fatalf("post events: %d %s", code, body)
	}
	testenv.Eventually(t, 30*time.Second, "both events in the ledger", func() bool { return eventCount(t, db) == 2 })
}

// securedConfig is a configuration of the programs with topics and a group of its own on the
// shared broker, which it reaches at addr with set's Kafka TLS and SASL settings.
func securedConfig(t *testing.T, addr string, set func(*config.Config)) config.Config {
	t.Helper()
	cfg, err := config.Load(":0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.KafkaTopic, cfg.KafkaDLQTopic = testenv.Topics(t, testenv.KafkaBrokers(t), 1)
	cfg.KafkaGroup = testenv.Name("g")
	cfg.KafkaSessionTimeout = 6 * time.Second
	cfg.KafkaBrokers = []string{addr}
	set(&cfg)
	return cfg
}

// Every Kafka connection of the programs, through each listener and login: the readiness
// check's dial, the server's producer, the consumer's reader in its group, the dead-letter
// writer and the finalizer's watermark. A connection that skipped the TLS or the SASL login
// would be refused by these listeners.
func TestKafkaConnectionsUseTLSAndSASL(t *testing.T) {
	t.Parallel()
	sec := testenv.KafkaSecure(t)
	login := func(mechanism string) func(*config.Config) {
		return func(c *config.Config) {
			c.KafkaSASLMechanism, c.KafkaSASLUsername, c.KafkaSASLPassword = mechanism, sec.Username, sec.Password
		}
	}
	cases := map[string]struct {
		addr string
		set  func(*config.Config)
	}{
		"SASL PLAIN":         {sec.SASLAddr, login("PLAIN")},
		"SASL SCRAM-SHA-256": {sec.SASLAddr, login("SCRAM-SHA-256")},
		"SASL SCRAM-SHA-512": {sec.SASLAddr, login("SCRAM-SHA-512")},
		"SSL, the server's certificate checked against the CA": {sec.SSLAddr, func(c *config.Config) {
			c.KafkaTLS, c.KafkaTLSCAFile = true, sec.CAFile
		}},
		"SSL with a client certificate, the server named localhost": {sec.MTLSAddr, func(c *config.Config) {
			c.KafkaTLS, c.KafkaTLSCAFile, c.KafkaTLSServerName = true, sec.CAFile, "localhost"
			c.KafkaTLSCertFile, c.KafkaTLSKeyFile = sec.CertFile, sec.KeyFile
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			roundTrip(t, securedConfig(t, tc.addr, tc.set))
		})
	}
}

func roundTrip(t *testing.T, cfg config.Config) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cluster, err := app.KafkaCluster(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := cluster.Ping(ctx); err != nil {
		t.Fatalf("readiness check: %v", err)
	}

	p := kafka.NewProducer(cluster, cfg.KafkaTopic)
	defer func() { _ = p.Close() }()
	if err := p.Produce(ctx, event.Record{Key: []byte("ana"), Value: []byte("one")}, event.Record{Key: []byte("bo"), Value: []byte("two")}); err != nil {
		t.Fatalf("produce: %v", err)
	}

	got := make(chan pipeline.Message, 2)
	cctx, stop := context.WithCancel(ctx)
	c := kafka.NewConsumer(kafka.ConsumerConfig{Cluster: cluster, Topic: cfg.KafkaTopic, Group: cfg.KafkaGroup,
		SessionTimeout: cfg.KafkaSessionTimeout, BatchSize: 10, BatchWait: 5 * time.Millisecond},
		func(ctx context.Context, msgs []pipeline.Message) error {
			for _, m := range msgs {
				select {
				case got <- m:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		}, app.Logger("warn"))
	done := make(chan error, 1)
	go func() { done <- c.Run(cctx) }()
	var values []string
	for len(values) < 2 {
		select {
		case m := <-got:
			values = append(values, string(m.Value))
		case <-ctx.Done():
			t.Fatalf("consumed %q, want two records", values)
		}
	}
	if slices.Sort(values); !slices.Equal(values, []string{"one", "two"}) {
		t.Fatalf("consumed %q, want one and two", values)
	}

	// The group committed them: the watermark reads that through the same cluster.
	w := kafka.NewWatermark(cluster, cfg.KafkaTopic, cfg.KafkaGroup)
	testenv.Eventually(t, 30*time.Second, "the watermark to see the commit", func() bool {
		applied, err := w.AppliedBefore(ctx, time.Now())
		return err == nil && applied
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	dlq := kafka.NewDeadLetters(cluster, cfg.KafkaDLQTopic)
	defer func() { _ = dlq.Close() }()
	if err := dlq.DeadLetter(ctx, []pipeline.DeadLetter{{Message: pipeline.Message{Key: []byte("ana"), Value: []byte("bad")}, Code: "invalid_json"}}); err != nil {
		t.Fatalf("dead letter: %v", err)
	}
	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: testenv.KafkaBrokers(t), Topic: cfg.KafkaDLQTopic, MaxWait: 100 * time.Millisecond})
	defer func() { _ = r.Close() }()
	if m, err := r.ReadMessage(ctx); err != nil || string(m.Value) != "bad" {
		t.Fatalf("the dead letter: %q, %v", m.Value, err)
	}
}

// A login or a certificate the broker does not accept fails every connection, with an error
// that says why.
func TestKafkaRefusesAWrongLoginOrCertificate(t *testing.T) {
	t.Parallel()
	sec := testenv.KafkaSecure(t)
	other := testenv.NewCA(t)
	cases := map[string]struct {
		addr string
		set  func(*config.Config)
		want string
	}{
		"a wrong PLAIN password": {sec.SASLAddr, func(c *config.Config) {
			c.KafkaSASLMechanism, c.KafkaSASLUsername, c.KafkaSASLPassword = "PLAIN", sec.Username, "wrong"
		}, "SASL Authentication Failed"},
		"a wrong SCRAM-SHA-256 password": {sec.SASLAddr, func(c *config.Config) {
			c.KafkaSASLMechanism, c.KafkaSASLUsername, c.KafkaSASLPassword = "SCRAM-SHA-256", sec.Username, "wrong"
		}, "SASL Authentication Failed"},
		"a SCRAM-SHA-512 user the broker does not know": {sec.SASLAddr, func(c *config.Config) {
			c.KafkaSASLMechanism, c.KafkaSASLUsername, c.KafkaSASLPassword = "SCRAM-SHA-512", "nobody", sec.Password
		}, "SASL Authentication Failed"},
		"the server's certificate checked against another CA": {sec.SSLAddr, func(c *config.Config) {
			c.KafkaTLS, c.KafkaTLSCAFile = true, other.CA
		}, "certificate signed by unknown authority"},
		"another server name than the certificate's": {sec.SSLAddr, func(c *config.Config) {
			c.KafkaTLS, c.KafkaTLSCAFile, c.KafkaTLSServerName = true, sec.CAFile, "kafka.example.com"
		}, "not kafka.example.com"},
		"no client certificate where one is required": {sec.MTLSAddr, func(c *config.Config) {
			c.KafkaTLS, c.KafkaTLSCAFile = true, sec.CAFile
		}, "remote error: tls"},
		"a client certificate of another CA": {sec.MTLSAddr, func(c *config.Config) {
			c.KafkaTLS, c.KafkaTLSCAFile = true, sec.CAFile
			c.KafkaTLSCertFile, c.KafkaTLSKeyFile = other.Cert, other.Key
		}, "remote error: tls"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := securedConfig(t, tc.addr, tc.set)
			cluster, err := app.KafkaCluster(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err = cluster.Ping(ctx)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("readiness check: %v, want an error saying %q", err, tc.want)
			}
			p := kafka.NewProducer(cluster, cfg.KafkaTopic)
			defer func() { _ = p.Close() }()
			err = p.Produce(ctx, event.Record{Value: []byte("x")})
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("produce: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
