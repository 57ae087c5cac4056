package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"bullpen/internal/app"
	"bullpen/internal/config"
	"bullpen/tools/internal/child"
	"bullpen/tools/internal/procstat"
)

// runChild is `loadgen -role …`: the server and the consumer (tools/internal/child), the
// producer and the probes.
func runChild(role string) int {
	if code, ok := child.Run(role); ok {
		return code
	}
	child.RaiseNoFile()
	cfg, err := config.Load("127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "configuration:", err)
		return 2
	}
	log := app.Logger(cfg.LogLevel).With("process", role)
	slog.SetDefault(log)
	ctx, stop := child.SignalContext()
	defer stop()
	switch role {
	case "probe":
		return runProbe(ctx, cfg)
	case "producer":
		if dbg := os.Getenv("LOADGEN_PRODUCER_DEBUG_ADDR"); dbg != "" {
			go func() { _ = http.ListenAndServe(dbg, nil) }() //nolint:gosec // loopback debug listener of a benchmark child
		}
		return runProducer(ctx, cfg)
	default:
		fmt.Fprintln(os.Stderr, "unknown role", role)
		return 2
	}
}

// childCommand is this program again in a role (child.Command), in a session of its own with
// -sessions.
func childCommand(role string, env []string, logFile string) (*exec.Cmd, *os.File, error) {
	cmd, log, err := child.Command(role, env, logFile)
	if err != nil {
		return nil, nil, err
	}
	cmd.SysProcAttr = ownSession()
	return cmd, log, nil
}

// startChild starts this program in a role, its stdout to the log too.
func startChild(role string, env []string, logFile string) (*exec.Cmd, error) {
	cmd, log, err := childCommand(role, env, logFile)
	if err != nil {
		return nil, err
	}
	return cmd, child.Start(cmd, log)
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
