package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// PrivateRedis is a redis-server of one test's own, for fault tests that kill it without
// disturbing the tests that share the main one.
type PrivateRedis struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
	URL  string
}

// StartRedis starts a private, empty, non-persistent redis-server on a free port.
func StartRedis(t testing.TB) *PrivateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed: run scripts/services.sh up")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	r := &PrivateRedis{t: t, port: port, URL: fmt.Sprintf("redis://127.0.0.1:%d/0", port)}
	r.Start()
	t.Cleanup(r.Kill)
	return r
}

// Start starts the server (again) and waits until it accepts connections.
func (r *PrivateRedis) Start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", os.TempDir())
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	Eventually(r.t, 10*time.Second, "redis to listen", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
}

// Kill stops the server with SIGKILL: everything it held is lost.
func (r *PrivateRedis) Kill() {
	if r.cmd != nil && r.cmd.Process != nil && r.cmd.ProcessState == nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}
