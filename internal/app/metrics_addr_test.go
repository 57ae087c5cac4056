package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"bullpen/internal/testenv"
)

func fetchURL(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsOnAnAddressOfTheirOwn: with BULLPEN_METRICS_ADDR, each process serves /metrics
// there and no longer on its public address, where health and readiness stay.
func TestMetricsOnAnAddressOfTheirOwn(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.MetricsAddr = testenv.FreeAddr(t)
	base := startServer(t, cfg)
	if code, _ := fetchURL(t, base+"/metrics"); code != 404 {
		t.Fatalf("the server's public /metrics answers %d, want 404", code)
	}
	code, body := fetchURL(t, "http://"+cfg.MetricsAddr+"/metrics")
	if code != 200 || !strings.Contains(body, "bullpen_build_info{") || !strings.Contains(body, "bullpen_http_requests_total") {
		t.Fatalf("the server's metrics address: %d, %.200q", code, body)
	}

	ccfg := cfg
	ccfg.MetricsAddr = testenv.FreeAddr(t)
	addr := startConsumer(t, ccfg)
	if code, _ := fetchURL(t, "http://"+addr+"/metrics"); code != 404 {
		t.Fatalf("the consumer's public /metrics answers %d, want 404", code)
	}
	if code, _ := fetchURL(t, "http://"+addr+"/readyz"); code != 200 {
		t.Fatalf("the consumer's /readyz answers %d", code)
	}
	code, body = fetchURL(t, "http://"+ccfg.MetricsAddr+"/metrics")
	if code != 200 || !strings.Contains(body, "bullpen_build_info{") || !strings.Contains(body, "bullpen_consumer_") {
		t.Fatalf("the consumer's metrics address: %d, %.200q", code, body)
	}
}
