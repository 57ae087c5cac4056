package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
)

// KafkaMechanisms are the SASL mechanisms BULLPEN_KAFKA_SASL_MECHANISM may name.
var KafkaMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// KafkaTLSConfig is the TLS of every Kafka connection, or nil when BULLPEN_KAFKA_TLS is off:
// the server's certificate checked against BULLPEN_KAFKA_TLS_CA_FILE (else the system's
// roots), a client certificate when one is given. Each error names its variable.
func (c *Config) KafkaTLSConfig() (*tls.Config, error) {
	if !c.KafkaTLS {
		for _, v := range [][2]string{{"BULLPEN_KAFKA_TLS_CA_FILE", c.KafkaTLSCAFile}, {"BULLPEN_KAFKA_TLS_CERT_FILE", c.KafkaTLSCertFile},
			{"BULLPEN_KAFKA_TLS_KEY_FILE", c.KafkaTLSKeyFile}, {"BULLPEN_KAFKA_TLS_SERVER_NAME", c.KafkaTLSServerName}} {
			if v[1] != "" {
				return nil, fmt.Errorf("%s: set, but BULLPEN_KAFKA_TLS is not true", v[0])
			}
		}
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.KafkaTLSServerName}
	if c.KafkaTLSCAFile != "" {
		pem, err := os.ReadFile(c.KafkaTLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("BULLPEN_KAFKA_TLS_CA_FILE: %w", err)
		}
		conf.RootCAs = x509.NewCertPool()
		if !conf.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("BULLPEN_KAFKA_TLS_CA_FILE: no PEM certificate in %s", c.KafkaTLSCAFile)
		}
	}
	switch {
	case c.KafkaTLSCertFile == "" && c.KafkaTLSKeyFile == "":
	case c.KafkaTLSKeyFile == "":
		return nil, errors.New("BULLPEN_KAFKA_TLS_KEY_FILE: required with BULLPEN_KAFKA_TLS_CERT_FILE (the client certificate's key)")
	case c.KafkaTLSCertFile == "":
		return nil, errors.New("BULLPEN_KAFKA_TLS_CERT_FILE: required with BULLPEN_KAFKA_TLS_KEY_FILE (the key's certificate)")
	default:
		cert, err := tls.LoadX509KeyPair(c.KafkaTLSCertFile, c.KafkaTLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("BULLPEN_KAFKA_TLS_CERT_FILE and BULLPEN_KAFKA_TLS_KEY_FILE: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// kafkaSecurityErrors checks the TLS files and the SASL login.
func (c *Config) kafkaSecurityErrors() []error {
	var errs []error
	if _, err := c.KafkaTLSConfig(); err != nil {
		errs = append(errs, err)
	}
	switch {
	case c.KafkaSASLMechanism == "":
		if c.KafkaSASLUsername != "" || c.KafkaSASLPassword != "" {
			errs = append(errs, errors.New("BULLPEN_KAFKA_SASL_MECHANISM: required with a SASL username or password (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)"))
		}
	case !slices.Contains(KafkaMechanisms, c.KafkaSASLMechanism):
		errs = append(errs, fmt.Errorf("BULLPEN_KAFKA_SASL_MECHANISM: %q is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", c.KafkaSASLMechanism))
	default:
		if c.KafkaSASLUsername == "" {
			errs = append(errs, fmt.Errorf("BULLPEN_KAFKA_SASL_USERNAME: required with BULLPEN_KAFKA_SASL_MECHANISM=%s", c.KafkaSASLMechanism))
		}
		if c.KafkaSASLPassword == "" {
			errs = append(errs, fmt.Errorf("BULLPEN_KAFKA_SASL_PASSWORD: required with BULLPEN_KAFKA_SASL_MECHANISM=%s (or BULLPEN_KAFKA_SASL_PASSWORD_FILE)", c.KafkaSASLMechanism))
		}
	}
	return errs
}
