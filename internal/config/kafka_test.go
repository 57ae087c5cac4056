package config_test

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bullpen/internal/config"
	"bullpen/internal/testenv"
)

func TestKafkaIsPlaintextWithoutSASLByDefault(t *testing.T) {
	clearEnv(t)
	c, err := config.Load(":8080")
	if err != nil {
		t.Fatal(err)
	}
	if conf, err := c.KafkaTLSConfig(); conf != nil || err != nil || c.KafkaSASLMechanism != "" {
		t.Fatalf("TLS %v (%v), SASL %q: want neither", conf, err, c.KafkaSASLMechanism)
	}
}

func TestKafkaTLSAndSASLFromTheEnvironment(t *testing.T) {
	clearEnv(t)
	files := testenv.NewCA(t)
	password := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(password, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{
		"BULLPEN_KAFKA_TLS": "true", "BULLPEN_KAFKA_TLS_CA_FILE": files.CA, "BULLPEN_KAFKA_TLS_CERT_FILE": files.Cert,
		"BULLPEN_KAFKA_TLS_KEY_FILE": files.Key, "BULLPEN_KAFKA_TLS_SERVER_NAME": "kafka.internal",
		"BULLPEN_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "BULLPEN_KAFKA_SASL_USERNAME": "bullpen",
		"BULLPEN_KAFKA_SASL_PASSWORD_FILE": password,
	} {
		t.Setenv(name, v)
	}
	c, err := config.Load(":8080")
	if err != nil {
		t.Fatal(err)
	}
	if c.KafkaSASLMechanism != "SCRAM-SHA-512" || c.KafkaSASLUsername != "bullpen" || c.KafkaSASLPassword != "s3cret" {
		t.Fatalf("SASL %q %q %q", c.KafkaSASLMechanism, c.KafkaSASLUsername, c.KafkaSASLPassword)
	}
	conf, err := c.KafkaTLSConfig()
	if err != nil || conf == nil {
		t.Fatalf("TLS %v, %v", conf, err)
	}
	if conf.RootCAs == nil || len(conf.Certificates) != 1 || conf.ServerName != "kafka.internal" ||
		conf.MinVersion != tls.VersionTLS12 || conf.InsecureSkipVerify {
		t.Fatalf("TLS config: %+v", conf)
	}
}

func TestKafkaTLSAndSASLMistakesNameTheVariable(t *testing.T) {
	files := testenv.NewCA(t)
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"an unknown mechanism": {map[string]string{"BULLPEN_KAFKA_SASL_MECHANISM": "GSSAPI",
			"BULLPEN_KAFKA_SASL_USERNAME": "u", "BULLPEN_KAFKA_SASL_PASSWORD": "p"}, "BULLPEN_KAFKA_SASL_MECHANISM"},
		"a mechanism in lower case": {map[string]string{"BULLPEN_KAFKA_SASL_MECHANISM": "plain",
			"BULLPEN_KAFKA_SASL_USERNAME": "u", "BULLPEN_KAFKA_SASL_PASSWORD": "p"}, "BULLPEN_KAFKA_SASL_MECHANISM"},
		"a mechanism without a username": {map[string]string{"BULLPEN_KAFKA_SASL_MECHANISM": "PLAIN",
			"BULLPEN_KAFKA_SASL_PASSWORD": "p"}, "BULLPEN_KAFKA_SASL_USERNAME"},
		"a mechanism without a password": {map[string]string{"BULLPEN_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
			"BULLPEN_KAFKA_SASL_USERNAME": "u"}, "BULLPEN_KAFKA_SASL_PASSWORD"},
		"a login without a mechanism": {map[string]string{"BULLPEN_KAFKA_SASL_USERNAME": "u",
			"BULLPEN_KAFKA_SASL_PASSWORD": "p"}, "BULLPEN_KAFKA_SASL_MECHANISM"},
		"TLS neither true nor false": {map[string]string{"BULLPEN_KAFKA_TLS": "maybe"}, "BULLPEN_KAFKA_TLS"},
		"a CA file without TLS":      {map[string]string{"BULLPEN_KAFKA_TLS_CA_FILE": files.CA}, "BULLPEN_KAFKA_TLS_CA_FILE"},
		"a server name without TLS":  {map[string]string{"BULLPEN_KAFKA_TLS_SERVER_NAME": "kafka"}, "BULLPEN_KAFKA_TLS_SERVER_NAME"},
		"an unreadable CA file": {map[string]string{"BULLPEN_KAFKA_TLS": "true",
			"BULLPEN_KAFKA_TLS_CA_FILE": filepath.Join(t.TempDir(), "missing.crt")}, "BULLPEN_KAFKA_TLS_CA_FILE"},
		"a CA file that is not PEM": {map[string]string{"BULLPEN_KAFKA_TLS": "true",
			"BULLPEN_KAFKA_TLS_CA_FILE": notPEM}, "BULLPEN_KAFKA_TLS_CA_FILE"},
		"a client certificate without its key": {map[string]string{"BULLPEN_KAFKA_TLS": "true",
			"BULLPEN_KAFKA_TLS_CERT_FILE": files.Cert}, "BULLPEN_KAFKA_TLS_KEY_FILE"},
		"a key without its certificate": {map[string]string{"BULLPEN_KAFKA_TLS": "true",
			"BULLPEN_KAFKA_TLS_KEY_FILE": files.Key}, "BULLPEN_KAFKA_TLS_CERT_FILE"},
		"a key file that holds no key": {map[string]string{"BULLPEN_KAFKA_TLS": "true",
			"BULLPEN_KAFKA_TLS_CERT_FILE": files.Cert, "BULLPEN_KAFKA_TLS_KEY_FILE": files.CA}, "BULLPEN_KAFKA_TLS_KEY_FILE"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := config.Load(":8080")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error naming %s", err, tc.want)
			}
			t.Log(err)
		})
	}
}
