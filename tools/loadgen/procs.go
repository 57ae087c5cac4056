package main

import (
	"context"
	"encoding/json"
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
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/config"
	"bullpen/tools/internal/procstat"
)

// raiseNoFile lifts the soft open-files limit to the hard one.
func raiseNoFile() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	rl.Cur = rl.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	return rl.Cur
}

// runChild is `loadgen -role server|consumer`: the real app.RunServer / app.RunConsumer in a
// process of its own (so /proc tells its CPU and memory apart), configured from the
// environment as bin/server and bin/consumer are. The server child also serves net/http/pprof
// and expvar on LOADGEN_DEBUG_ADDR.
func runChild(role string) int {
	raiseNoFile()
	cfg, err := config.Load("127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		return 2
	}
	log := app.Logger(cfg.LogLevel).With("process", role)
	slog.SetDefault(log)
	ctx, stop := signalContext()
	defer stop()
	switch role {
	case "server":
		// Heap profiles fine enough to tell what one socket holds (the default samples every
		// 512 KB allocated).
		runtime.MemProfileRate = 16 << 10
		if dbg := os.Getenv("LOADGEN_DEBUG_ADDR"); dbg != "" {
			go func() { _ = http.ListenAndServe(dbg, nil) }() //nolint:gosec // loopback debug listener of a benchmark child
		}
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			log.Error("listen", "err", err)
			return 1
		}
		err = app.RunServer(ctx, cfg, ln, log)
		if err != nil {
			log.Error("server stopped", "err", err)
			return 1
		}
	case "probe":
		return runProbe(ctx, cfg)
	case "producer":
		if dbg := os.Getenv("LOADGEN_PRODUCER_DEBUG_ADDR"); dbg != "" {
			go func() { _ = http.ListenAndServe(dbg, nil) }() //nolint:gosec // loopback debug listener of a benchmark child
		}
		return runProducer(ctx, cfg)
	case "consumer":
		if err := app.RunConsumer(ctx, cfg, log, nil); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("consumer stopped", "err", err)
			return 1
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown role", role)
		return 2
	}
	return 0
}

// childCommand is this program again in a role, with env added to the environment and its
// stderr to logFile.
func childCommand(role string, env []string, logFile string) (*exec.Cmd, *os.File, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(self, "-role", role) //nolint:gosec // our own binary
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = ownSession()
	log, err := os.Create(logFile)
	if err != nil {
		return nil, nil, err
	}
	cmd.Stderr = log
	return cmd, log, nil
}

// startChild starts this program in a role, its stdout to the log too.
func startChild(role string, env []string, logFile string) (*exec.Cmd, error) {
	cmd, log, err := childCommand(role, env, logFile)
	if err != nil {
		return nil, err
	}
	cmd.Stdout = log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, err
	}
	return cmd, nil
}

func stopChild(cmd *exec.Cmd) {
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

// serverHeap reads the server child's Go heap (HeapInuse, HeapAlloc, Sys) from expvar.
func serverHeap(debugAddr string) (inuse, alloc, sys uint64) {
	m := serverMem(debugAddr)
	return m.HeapInuse, m.HeapAlloc, m.Sys
}

// memStats are the server child's runtime.MemStats that the report uses.
type memStats struct {
	HeapInuse, HeapAlloc, Sys, StackInuse uint64
	Goroutines                            int
}

// serverMem reads the server child's memory statistics; with gc, after a garbage collection
// (the heap profile's gc=1), so that HeapAlloc is the live heap.
func serverMem(debugAddr string, gc ...bool) memStats {
	c := http.Client{Timeout: 60 * time.Second}
	if len(gc) > 0 && gc[0] {
		if res, err := c.Get("http://" + debugAddr + "/debug/pprof/heap?gc=1"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
		}
	}
	var out memStats
	if res, err := c.Get("http://" + debugAddr + "/debug/pprof/goroutine?debug=1"); err == nil {
		var total int
		_, _ = fmt.Fscanf(res.Body, "goroutine profile: total %d", &total)
		out.Goroutines = total
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
	}
	res, err := c.Get("http://" + debugAddr + "/debug/vars")
	if err != nil {
		return out
	}
	defer func() { _ = res.Body.Close() }()
	var v struct {
		Memstats struct{ HeapInuse, HeapAlloc, Sys, StackInuse uint64 } `json:"memstats"`
	}
	_ = json.NewDecoder(res.Body).Decode(&v)
	out.HeapInuse, out.HeapAlloc, out.Sys, out.StackInuse = v.Memstats.HeapInuse, v.Memstats.HeapAlloc, v.Memstats.Sys, v.Memstats.StackInuse
	return out
}

// vmRSS returns a process's resident set in bytes (VmRSS of /proc/<pid>/status).
func vmRSS(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// parties are the processes whose CPU is reported.
type parties struct {
	self, server, consumer, producer, postmaster, kafka, redis int
}

type cpuSample struct {
	at                                                                    time.Time
	self, server, consumer, producer, postgres, kafka, redis, busy, total float64
}

func (p parties) sample() cpuSample {
	s := cpuSample{at: time.Now()}
	s.self, _ = procTimes(p.self)
	s.server, _ = procTimes(p.server)
	s.consumer, _ = procTimes(p.consumer)
	s.producer, _ = procTimes(p.producer)
	if p.postmaster != 0 {
		self, ch := procTimes(p.postmaster)
		s.postgres = self + ch
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, d := range dirs {
			pid, _ := strconv.Atoi(filepath.Base(d))
			if procstat.Parent(pid) == p.postmaster {
				c, _ := procTimes(pid)
				s.postgres += c
			}
		}
	}
	s.kafka, _ = procTimes(p.kafka)
	s.redis, _ = procTimes(p.redis)
	s.busy, s.total = procstat.Machine()
	return s
}

// cpuShare is cores used by each party between two samples (1.0 = one core busy).
type cpuShare struct {
	Loadgen, Producer, Server, Consumer, Postgres, Kafka, Redis, Machine float64
	Cores                                                                float64
}

func between(a, b cpuSample) cpuShare {
	sec := b.at.Sub(a.at).Seconds()
	return cpuShare{Loadgen: (b.self - a.self) / sec, Producer: (b.producer - a.producer) / sec, Server: (b.server - a.server) / sec,
		Consumer: (b.consumer - a.consumer) / sec, Postgres: (b.postgres - a.postgres) / sec,
		Kafka: (b.kafka - a.kafka) / sec, Redis: (b.redis - a.redis) / sec,
		Machine: (b.busy - a.busy) / sec, Cores: (b.total - a.total) / sec}
}

// procTimes is a process's CPU seconds and its waited-for children's (0 when it is gone).
func procTimes(pid int) (self, children float64) {
	self, children, _ = procstat.Times(pid)
	return self, children
}
