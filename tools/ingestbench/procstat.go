package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"bullpen/tools/internal/procstat"
)

// services are the processes behind the configured ports: the PostgreSQL postmaster, the Kafka
// broker and Redis. Other engineers' tests may run brokers of their own on the machine, so
// processes are found by the port they listen on, not by name.
type services struct {
	postmaster, kafka, redis int
}

func findServices(pgPort, kafkaPort, redisPort int) services {
	return services{postmaster: procstat.ListenerPID(pgPort), kafka: procstat.ListenerPID(kafkaPort), redis: procstat.ListenerPID(redisPort)}
}

// cpuSample is a snapshot of CPU seconds used so far, by party.
type cpuSample struct {
	self     float64 // this process (the Go consumer and the benchmark's polling)
	postgres float64 // the postmaster, its live children, and the children that exited
	kafka    float64
	redis    float64
	busy     float64 // the whole machine, every core: non-idle time
	total    float64
}

func (sv services) sample() cpuSample {
	var s cpuSample
	s.self, _, _ = procstat.Times(os.Getpid())
	if sv.postmaster != 0 {
		self, children, _ := procstat.Times(sv.postmaster)
		s.postgres = self + children
		for _, pid := range procstat.Children(sv.postmaster) {
			c, _, _ := procstat.Times(pid)
			s.postgres += c
		}
	}
	s.kafka, _, _ = procstat.Times(sv.kafka)
	s.redis, _, _ = procstat.Times(sv.redis)
	s.busy, s.total = procstat.Machine()
	return s
}

// cpuUse is CPU seconds used between two samples, by party.
type cpuUse struct {
	Consumer      float64 `json:"consumer_go_seconds"`
	PGBackends    float64 `json:"postgres_backends_seconds"` // the backends that served the consumer
	PostgresAll   float64 `json:"postgres_all_seconds"`      // the whole server: backends, WAL writer, checkpointer, autovacuum (others' tests included)
	Kafka         float64 `json:"kafka_seconds"`             // the broker (others' tests included)
	Redis         float64 `json:"redis_seconds"`             // the server (others' tests included)
	MachineBusy   float64 `json:"machine_busy_seconds"`
	MachineTotal  float64 `json:"machine_total_seconds"` // cores x wall time
	Unattributed  float64 `json:"unattributed_seconds"`  // busy minus the parties above: other work on the machine
	LoadAvgBefore string  `json:"loadavg_before"`
	LoadAvgAfter  string  `json:"loadavg_after"`
}

func cpuBetween(a, b cpuSample, pgBackends float64) cpuUse {
	u := cpuUse{Consumer: b.self - a.self, PGBackends: pgBackends, PostgresAll: b.postgres - a.postgres,
		Kafka: b.kafka - a.kafka, Redis: b.redis - a.redis, MachineBusy: b.busy - a.busy, MachineTotal: b.total - a.total}
	u.Unattributed = u.MachineBusy - u.Consumer - u.PostgresAll - u.Kafka - u.Redis
	return u
}

// machine describes where the benchmark ran.
type machine struct {
	CPUs       int    `json:"cpus"`
	CPUModel   string `json:"cpu_model"`
	MemoryMB   int    `json:"memory_mb"`
	Kernel     string `json:"kernel"`
	GoVersion  string `json:"go_version"`
	GCPercent  int    `json:"gc_percent"`
	PostgreSQL string `json:"postgresql,omitempty"`
	Redis      string `json:"redis,omitempty"`
	Kafka      string `json:"kafka,omitempty"`
	LoadAvg    string `json:"loadavg_at_start"`
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadAvg: procstat.LoadAvg()}
	m.GCPercent = debug.SetGCPercent(-1) // read it back: SetGCPercent returns the previous value
	debug.SetGCPercent(m.GCPercent)
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
				m.MemoryMB = kb / 1024
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	// The broker's version, from the jar scripts/services.sh put in place, when run from the repo.
	if jars, _ := filepath.Glob(".local/kafka/libs/kafka_2.13-*.jar"); len(jars) > 0 {
		v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(jars[0]), "kafka_2.13-"), ".jar")
		m.Kafka = "Apache Kafka " + v
	}
	return m
}
