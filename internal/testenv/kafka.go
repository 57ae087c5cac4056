package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// PrivateKafka is a single-node Kafka broker of one test's own (the jars scripts/services.sh
// downloaded, a data directory in the test's temp dir), for fault tests that restart it.
type PrivateKafka struct {
	t       testing.TB
	dir     string
	libs    string
	props   string
	Brokers []string
	cmd     *exec.Cmd
}

// FreeAddr is a loopback address nothing listens on (a moment ago), for a listener a process
// under test opens itself.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(freePort(t))
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// repoRoot finds the module root from the test's working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// StartKafka formats and starts a private broker and waits until it answers.
func StartKafka(t testing.TB) *PrivateKafka {
	t.Helper()
	root := repoRoot(t)
	libs := filepath.Join(os.Getenv("BULLPEN_LOCAL_DIR"), "kafka", "libs")
	if os.Getenv("BULLPEN_LOCAL_DIR") == "" {
		libs = filepath.Join(root, ".local", "kafka", "libs")
	}
	if _, err := os.Stat(libs); err != nil {
		t.Fatalf("no Kafka jars at %s: run scripts/services.sh up", libs)
	}
	dir := t.TempDir()
	port, ctrl := freePort(t), freePort(t)
	props := filepath.Join(dir, "server.properties")
	conf := strings.Join([]string{
		"process.roles=broker,controller", "node.id=1",
		fmt.Sprintf("controller.quorum.bootstrap.servers=127.0.0.1:%d", ctrl),
		fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", port, ctrl),
		fmt.Sprintf("advertised.listeners=PLAINTEXT://127.0.0.1:%d", port),
		"controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
		"listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
		"log.dirs=" + filepath.Join(dir, "data"), "num.partitions=3", "auto.create.topics.enable=false",
		"log.message.timestamp.type=LogAppendTime",
		"offsets.topic.replication.factor=1", "offsets.topic.num.partitions=3",
		"transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
		"share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1",
		"broker.session.timeout.ms=3000", "broker.heartbeat.interval.ms=500",
		"group.initial.rebalance.delay.ms=0", "group.min.session.timeout.ms=1000",
	}, "\n") + "\n"
	if err := os.WriteFile(props, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	k := &PrivateKafka{t: t, dir: dir, libs: libs, props: props, Brokers: []string{fmt.Sprintf("127.0.0.1:%d", port)}}
	format := exec.Command("java", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", libs+"/*", "kafka.tools.StorageTool",
		"format", "--standalone", "-t", "q1Sh-9_ISia_zwGINzRvyQ", "-c", props)
	if out, err := format.CombinedOutput(); err != nil {
		t.Fatalf("format private kafka: %v\n%s", err, out)
	}
	k.Start()
	t.Cleanup(k.Kill)
	return k
}

// Start starts the broker (again) and waits until it serves metadata.
func (k *PrivateKafka) Start() {
	k.t.Helper()
	logFile, err := os.OpenFile(filepath.Join(k.dir, "kafka.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		k.t.Fatal(err)
	}
	k.cmd = exec.Command("java", "-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-cp", k.libs+"/*", "kafka.Kafka", k.props)
	k.cmd.Stdout, k.cmd.Stderr = logFile, logFile
	if err := k.cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	Eventually(k.t, 90*time.Second, "the private broker", func() bool { return brokerAnswers(k.Brokers[0]) })
}

// Stop ends the broker with SIGTERM (a clean restart) and waits.
func (k *PrivateKafka) Stop() {
	if k.cmd != nil && k.cmd.ProcessState == nil {
		_ = k.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = k.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			k.Kill()
		}
	}
}

// Kill ends the broker with SIGKILL.
func (k *PrivateKafka) Kill() {
	if k.cmd != nil && k.cmd.ProcessState == nil {
		_ = k.cmd.Process.Kill()
		_ = k.cmd.Wait()
	}
}
