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
		c.Currency != "USD" || c.Grace != 10*time.Minute || c.KafkaBrokers[0] != "localhost:9092" || c.WebhookAllowPrivate ||
		!c.WSIOURing {
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
		"BULLPEN_TRUSTED_PROXIES":          "10.0.0.0/8,the-ingress",
		"BULLPEN_WEBHOOK_ALLOW_PRIVATE":    "sometimes",
		"BULLPEN_WS_IO_URING":              "maybe",
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

func TestTrustedProxiesTakeAddressesAndRanges(t *testing.T) {
	clearEnv(t)
	t.Setenv("BULLPEN_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,fd00::/8,10.1.2.3/16")
	c, err := config.Load(":8080")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.TrustedProxyRanges()
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "fd00::/8", "10.1.0.0/16"}
	if err != nil || len(got) != len(want) {
		t.Fatalf("got %v, %v", got, err)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("entry %d: %s, want %s", i, got[i], want[i])
		}
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

func TestRedisURLsOfAServerAndOfACluster(t *testing.T) {
	for _, u := range []string{"redis://localhost:6379/0", "rediss://cache.example.com:6380/2",
		"redis+cluster://10.0.0.1:6379?addr=10.0.0.2:6379&addr=10.0.0.3:6379", "rediss+cluster://node-1:6379"} {
		clearEnv(t)
		t.Setenv("BULLPEN_REDIS_URL", u)
		if c, err := config.Load(":8080"); err != nil || c.RedisURL != u {
			t.Errorf("%s: got %q, %v", u, c.RedisURL, err)
		}
	}
	clearEnv(t)
	t.Setenv("BULLPEN_REDIS_URL", "cluster://10.0.0.1:6379")
	if _, err := config.Load(":8080"); err == nil || !strings.Contains(err.Error(), "BULLPEN_REDIS_URL") {
		t.Fatalf("got %v, want BULLPEN_REDIS_URL named", err)
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

func TestParseReadsTheVariablesGiven(t *testing.T) {
	clearEnv(t)
	t.Setenv("BULLPEN_SHUTDOWN_TIMEOUT", "1s") // the environment is not read
	vars := map[string]string{"BULLPEN_SHUTDOWN_TIMEOUT": "35s", "BULLPEN_METRICS_ADDR": ":9090"}
	c, err := config.Parse(vars, config.ServerAddr)
	if err != nil {
		t.Fatal(err)
	}
	if c.ShutdownTimeout != 35*time.Second || c.MetricsAddr != ":9090" || c.HTTPAddr != config.ServerAddr {
		t.Fatalf("shutdown %v, metrics %q, http %q", c.ShutdownTimeout, c.MetricsAddr, c.HTTPAddr)
	}
	vars["BULLPEN_GRACE"] = "soon"
	if _, err := config.Parse(vars, config.ServerAddr); err == nil || !strings.Contains(err.Error(), "BULLPEN_GRACE") {
		t.Fatalf("got %v, want BULLPEN_GRACE named", err)
	}
}
