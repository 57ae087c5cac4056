package testenv

import "testing"

// SecureKafka is the shared broker's other listeners, for the tests of Kafka TLS and SASL:
// SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 with one login), SSL (a certificate
// of a local CA) and MTLS (SSL requiring a client certificate of that CA, which signed one).
// scripts/services.sh always starts them and exports where they are.
type SecureKafka struct {
	SASLAddr, Username, Password                 string
	SSLAddr, MTLSAddr, CAFile, CertFile, KeyFile string
}

// KafkaSecure is where the shared broker's SASL and SSL listeners are.
func KafkaSecure(t testing.TB) SecureKafka {
	t.Helper()
	return SecureKafka{
		SASLAddr: mustEnv(t, "BULLPEN_TEST_KAFKA_SASL_ADDR"),
		Username: mustEnv(t, "BULLPEN_TEST_KAFKA_USERNAME"),
		Password: mustEnv(t, "BULLPEN_TEST_KAFKA_PASSWORD"),
		SSLAddr:  mustEnv(t, "BULLPEN_TEST_KAFKA_SSL_ADDR"),
		MTLSAddr: mustEnv(t, "BULLPEN_TEST_KAFKA_MTLS_ADDR"),
		CAFile:   mustEnv(t, "BULLPEN_TEST_KAFKA_CA_FILE"),
		CertFile: mustEnv(t, "BULLPEN_TEST_KAFKA_CLIENT_CERT_FILE"),
		KeyFile:  mustEnv(t, "BULLPEN_TEST_KAFKA_CLIENT_KEY_FILE"),
	}
}
