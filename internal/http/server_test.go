package http_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/app"
	"bullpen/internal/build"
	"bullpen/internal/bullpen"
	"bullpen/internal/testenv"
)

func TestHealthReadinessAndMetrics(t *testing.T) {
	e := newEnv(t)
	var health map[string]string
	e.do("GET", "/healthz", "", nil).Want(t, 200, &health)
	if health["status"] != "ok" {
		t.Fatalf("healthz %v", health)
	}
	e.do("GET", "/readyz", "", nil).Want(t, 200, nil)
	e.do("GET", "/api/v1/contests", adminSecret, nil).Want(t, 200, nil)
	res := e.do("GET", "/metrics", "", nil)
	res.Want(t, 200, nil)
	want := `bullpen_http_requests_total{method="GET",route="/api/v1/contests",status="200"} 1`
	if !strings.Contains(string(res.Body), want) {
		t.Fatalf("metrics lack %s", want)
	}
	// The build, as --version and the sockets' welcome name it.
	b := build.Get()
	info := fmt.Sprintf(`bullpen_build_info{commit=%q,go_version=%q,version=%q} 1`, b.Commit, b.GoVersion, b.Version)
	if !strings.Contains(string(res.Body), info) {
		t.Fatalf("metrics lack %s", info)
	}
}

func TestReadinessNamesWhatIsDown(t *testing.T) {
	e := newEnv(t)
	e.db.Close()
	var got struct{ Down []string }
	e.do("GET", "/readyz", "", nil).Want(t, 503, &got)
	if len(got.Down) != 1 || got.Down[0] != "postgresql" {
		t.Fatalf("down %v", got.Down)
	}
}

func TestUnknownRoutesAndMethodsKeepTheErrorShape(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/nowhere", "", nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("GET", "/api/v1/nowhere", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("PUT", "/healthz", "", nil).WantError(t, 405, bullpen.EInvalid, "")
}

func TestOversizedBodiesKeepTheErrorShape(t *testing.T) {
	e := newEnv(t)
	// The body limit is enforced while reading from the connection: it needs a real listener.
	addr, stop := e.serve()
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	// Announcing the size is enough: the server answers before any of the body is sent, which
	// keeps the client from racing the server's close while it writes.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", adminSecret, 17<<20)
	res, err := nethttp.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	response{Status: res.StatusCode, Body: b}.WantError(t, 413, bullpen.EInvalid, "")
}

func TestRunServesOnTheGivenListenerAndProducesToKafka(t *testing.T) {
	cfg := testConfig(t)
	cfg.KafkaBrokers = testenv.KafkaBrokers(t)
	cfg.KafkaTopic, cfg.KafkaDLQTopic = testenv.Topics(t, cfg.KafkaBrokers, 1) // one partition: read back without a group
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.RunServer(ctx, cfg, ln, testLogger(t)) }()

	res := post(t, "http://"+ln.Addr().String()+"/api/v1/events", "["+goodEvent+","+otherEvent+"]")
	if res.StatusCode != 202 {
		t.Fatalf("POST /events: %d", res.StatusCode)
	}
	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: cfg.KafkaBrokers, Topic: cfg.KafkaTopic, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	got := map[string]string{}
	rctx, rcancel := context.WithTimeout(ctx, 30*time.Second)
	defer rcancel()
	for len(got) < 2 {
		m, err := r.ReadMessage(rctx)
		if err != nil {
			t.Fatalf("read back from kafka: %v (got %v)", err, got)
		}
		got[string(m.Key)] = string(m.Value)
	}
	if got["ana"] != goodEvent || got["bo"] != otherEvent {
		t.Fatalf("topic holds %v", got)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	if _, err := nethttp.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

type posted struct {
	StatusCode int
	body       []byte
}

func post(t *testing.T, url, body string) posted {
	t.Helper()
	req, _ := nethttp.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminSecret)
	req.Header.Set("Content-Type", "application/json")
	res, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return posted{res.StatusCode, b}
}
