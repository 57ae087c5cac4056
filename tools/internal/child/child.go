// Package child runs the server and the consumer as children of a benchmark program
// (tools/loadgen, tools/rush): the program executes itself again with -role server or
// -role consumer, which runs the real app.RunServer / app.RunConsumer configured from the
// environment as bin/server and bin/consumer are. Each in a process of its own, /proc tells
// their CPU and memory apart, and the server child serves net/http/pprof and expvar on a
// loopback listener of its own (DebugAddrEnv), which the shipped server does not.
package child

import (
	"context"
	"errors"
	_ "expvar" // /debug/vars (memstats) on the server child's debug listener
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // the server child's profile endpoint, on a listener of its own
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/config"
)

// DebugAddrEnv names a child's debug listener (pprof, expvar); empty: none.
const DebugAddrEnv = "BENCH_DEBUG_ADDR"

// FineHeapEnv, when "1", has the server child sample its heap profile every 16 KB allocated
// instead of every 512 KB (the default), fine enough to tell what one socket holds. The
// sampling costs CPU (a stack walk per sample; 3 % of the server's in a morning rush), so a
// program that measures time leaves it unset and measures the server as shipped.
const FineHeapEnv = "BENCH_FINE_HEAP"

// SignalContext ends on SIGINT or SIGTERM.
func SignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
}

// Run runs role when it is "server" or "consumer" and returns the process's exit code; ok is
// false for any other role (the program's own children).
func Run(role string) (code int, ok bool) {
	if role != "server" && role != "consumer" {
		return 0, false
	}
	RaiseNoFile()
	cfg, err := config.Load("127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		return 2, true
	}
	log := app.Logger(cfg.LogLevel).With("process", role)
	slog.SetDefault(log)
	ctx, stop := SignalContext()
	defer stop()
	if dbg := os.Getenv(DebugAddrEnv); dbg != "" {
		go func() { _ = http.ListenAndServe(dbg, nil) }() //nolint:gosec // loopback debug listener of a benchmark child
	}
	if role == "consumer" {
		if err := app.RunConsumer(ctx, cfg, log, nil); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("consumer stopped", "err", err)
			return 1, true
		}
		return 0, true
	}
	if os.Getenv(FineHeapEnv) == "1" {
		runtime.MemProfileRate = 16 << 10
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		log.Error("listen", "err", err)
		return 1, true
	}
	if err := app.RunServer(ctx, cfg, ln, log); err != nil {
		log.Error("server stopped", "err", err)
		return 1, true
	}
	return 0, true
}

// RaiseNoFile lifts the soft open-files limit to the hard one and returns it.
func RaiseNoFile() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	rl.Cur = rl.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	return rl.Cur
}

// Command is this program again in role, with env added to the environment and its stderr
// to logFile (the returned file, which the caller closes if it does not start the command).
func Command(role string, env []string, logFile string) (*exec.Cmd, *os.File, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(self, "-role", role) //nolint:gosec // our own binary
	cmd.Env = append(os.Environ(), env...)
	log, err := os.Create(logFile)
	if err != nil {
		return nil, nil, err
	}
	cmd.Stderr = log
	return cmd, log, nil
}

// Start starts cmd with its stdout into log too.
func Start(cmd *exec.Cmd, log *os.File) error {
	cmd.Stdout = log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return err
	}
	return nil
}

// Stop asks a child to stop (SIGTERM) and kills it after 30 s.
func Stop(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// FreePort is a loopback TCP port free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Sleep waits d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// WaitReady waits up to 60 s for url to answer 200 (the server's /readyz), giving up early when
// cmd has exited.
func WaitReady(ctx context.Context, url string, cmd *exec.Cmd) error {
	deadline := time.Now().Add(60 * time.Second)
	c := http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		if res, err := c.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if cmd.ProcessState != nil {
			return errors.New("server exited")
		}
		if err := Sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s not ready after 60 s", url)
}

// FetchProfile saves a CPU profile of the server child over d.
func FetchProfile(debugAddr string, d time.Duration, out string) error {
	return Fetch(debugAddr, fmt.Sprintf("/debug/pprof/profile?seconds=%d", int(d.Seconds())), d+30*time.Second, out)
}

// Fetch saves what the server child's debug listener answers on path.
func Fetch(debugAddr, path string, timeout time.Duration, out string) error {
	c := http.Client{Timeout: timeout}
	res, err := c.Get("http://" + debugAddr + path)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: %s", res.Status)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, res.Body)
	return errors.Join(err, f.Close())
}

// Renice sets every thread of this process to the nice value n; the threads and processes it
// starts after inherit it, children started before keep theirs. Linux keeps a nice value per
// thread, so each is set, in passes until one finds no new thread (one may start meanwhile).
func Renice(n int) error {
	done := map[string]bool{}
	for {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("renice: %w", err)
		}
		fresh := 0
		for _, t := range tasks {
			if !done[t.Name()] {
				fresh++
				done[t.Name()] = true
				if err := reniceThread(t.Name(), n); err != nil {
					return err
				}
			}
		}
		if fresh == 0 {
			return nil
		}
	}
}

func reniceThread(name string, n int) error {
	var tid int
	if _, err := fmt.Sscan(name, &tid); err != nil {
		return nil //nolint:nilerr // not a thread's entry
	}
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, n); err != nil {
		return fmt.Errorf("renice thread %d: %w", tid, err)
	}
	return nil
}
