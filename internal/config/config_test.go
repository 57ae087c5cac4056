package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bullpen/internal/config"
)

// clearEnv hides the BULLPEN_* variables the test run was started with.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "BULLPEN_") {
			t.Setenv(name, "") // restored when the test ends
			_ = os.Unsetenv(name)
		}
	}
}

func TestDefaultsMatchTheContract(t *testing.T) {
	clearEnv(t)
	t.Setenv("BULLPEN_ADMIN_TOKEN", "x")
	c, err := config.Load(":8081")
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8081" || c.KafkaTopic != "deals" || c.KafkaDLQTopic != "deals.dlq" || c.KafkaGroup != "bullpen-consumer" ||
		c.Currency != "USD" || c.Grace != 10*time.Minute || c.KafkaBrokers[0] != "localhost:9092" || c.WebhookAllowPrivate {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"BULLPEN_GRACE":                    "ten minutes",
		"BULLPEN_BATCH_SIZE":               "many",
		"BULLPEN_CURRENCY":                 "dollars",
		"BULLPEN_DATABASE_URL":             "mysql://x",
		"BULLPEN_REDIS_URL":                "localhost:6379",
		"BULLPEN_KAFKA_BROKERS":            "localhost",
		"BULLPEN_ALLOWED_ORIGINS":          "floor.example.com",
		"BULLPEN_TIMEZONE":                 "Mars/Olympus",
		"BULLPEN_LOG_LEVEL":                "loud",
		"BULLPEN_RATE_LIMIT":               "lots",
		"BULLPEN_RATE_LIMIT_AUTH_FAILURES": "0/m",
		"BULLPEN_BATCH_WAIT":               "-5s",
		"BULLPEN_SHUTDOWN_TIMEOUT":         "0s",
		"BULLPEN_HTTP_ADDR":                "localhost",
		"BULLPEN_METRICS_ADDR":             "metrics",
		"BULLPEN_REDIS_PREFIX":             "my prefix",
		"BULLPEN_SELLING_DAYS":             "mon,funday",
		"BULLPEN_HOLIDAYS":                 "2026-12-25,Christmas",
		"BULLPEN_WEBHOOK_ALLOW_PRIVATE":    "sometimes",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(name, value)
			_, err := config.Load(":8080")
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("got %v, want an error naming %s", err, name)
			}
		})
	}
}

func TestMetricsNeedAnAddressOfTheirOwn(t *testing.T) {
	clearEnv(t)
	t.Setenv("BULLPEN_METRICS_ADDR", ":8080")
	if _, err := config.Load(":8080"); err == nil || !strings.Contains(err.Error(), "BULLPEN_METRICS_ADDR") {
		t.Fatalf("got %v, want BULLPEN_METRICS_ADDR named: it is the HTTP address too", err)
	}
	t.Setenv("BULLPEN_METRICS_ADDR", "127.0.0.1:9090")
	if c, err := config.Load(":8080"); err != nil || c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("got %+v, %v", c.MetricsAddr, err)
	}
}

func TestSecretsReadFromFileTwins(t *testing.T) {
	clearEnv(t)
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("from-a-file-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BULLPEN_ADMIN_TOKEN_FILE", path)
	c, err := config.Load(":8080")
	if err != nil || c.AdminToken != "from-a-file-0123456789" {
		t.Fatalf("token %q, err %v", c.AdminToken, err)
	}
	t.Setenv("BULLPEN_ADMIN_TOKEN", "both")
	if _, err := config.Load(":8080"); err == nil {
		t.Fatal("both a variable and its _FILE twin were accepted")
	}
}
