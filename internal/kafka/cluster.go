package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// Cluster is the brokers and how every connection to them is made (TLS, a SASL login): the
// consumer's reader, the writers, the clients and each dial get it from Dialer or Transport,
// so none can connect otherwise. The zero value with Brokers set is plaintext without SASL.
type Cluster struct {
	Brokers []string
	tls     *tls.Config
	login   sasl.Mechanism
}

// Login is a SASL login; Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, or "" for none.
type Login struct {
	Mechanism, Username, Password string
}

// NewCluster is the brokers reached with tlsConfig (nil: plaintext) and login.
func NewCluster(brokers []string, tlsConfig *tls.Config, login Login) (Cluster, error) {
	c := Cluster{Brokers: brokers, tls: tlsConfig}
	var err error
	switch login.Mechanism {
	case "":
	case "PLAIN":
		c.login = plain.Mechanism{Username: login.Username, Password: login.Password}
	case "SCRAM-SHA-256":
		c.login, err = scram.Mechanism(scram.SHA256, login.Username, login.Password)
	case "SCRAM-SHA-512":
		c.login, err = scram.Mechanism(scram.SHA512, login.Username, login.Password)
	default:
		err = fmt.Errorf("unknown mechanism %q", login.Mechanism)
	}
	if err != nil {
		return Cluster{}, fmt.Errorf("kafka SASL %s: %w", login.Mechanism, err)
	}
	return c, nil
}

// Dialer dials a broker (a reader's connections, a single request), giving up after timeout.
func (c Cluster) Dialer(timeout time.Duration) *kafkago.Dialer {
	return &kafkago.Dialer{Timeout: timeout, DualStack: true, TLS: c.tls, SASLMechanism: c.login}
}

// Transport is a new transport for a writer or a client, with a metadata cache of its own (the
// shared default caches missing topics).
func (c Cluster) Transport() *kafkago.Transport {
	return &kafkago.Transport{TLS: c.tls, SASL: c.login}
}

// Ping reports whether a broker answers a metadata request (the first that does), or why none did.
func (c Cluster) Ping(ctx context.Context) error {
	var errs []error
	for _, b := range c.Brokers {
		conn, err := c.Dialer(2*time.Second).DialContext(ctx, "tcp", b)
		if err == nil {
			_, err = conn.Brokers()
			_ = conn.Close()
			if err == nil {
				return nil
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", b, err))
	}
	return errors.Join(errs...)
}
