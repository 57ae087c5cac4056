package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux build that
// matters (reading it needs sysconf, i.e. cgo).
const clockTicks = 100

// procTimes reads a process's CPU seconds from /proc/<pid>/stat: its own user+system time and
// that of its children it has waited for.
func procTimes(pid int) (self, children float64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// The command name is in parentheses and may hold spaces: the fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	// After ')': state is field 3 of the man page, so utime (14) is f[11], stime f[12],
	// cutime f[13], cstime f[14].
	if len(f) < 15 {
		return 0, 0, false
	}
	num := func(s string) float64 { n, _ := strconv.ParseFloat(s, 64); return n }
	return (num(f[11]) + num(f[12])) / clockTicks, (num(f[13]) + num(f[14])) / clockTicks, true
}

// services are the processes behind the configured ports: the PostgreSQL postmaster, the Kafka
// broker and Redis. Other engineers' tests may run brokers of their own on the machine, so
// processes are found by the port they listen on, not by name.
type services struct {
	postmaster, kafka, redis int
}

func findServices(pgPort, kafkaPort, redisPort int) services {
	return services{postmaster: listenerPID(pgPort), kafka: listenerPID(kafkaPort), redis: listenerPID(redisPort)}
}

// listenerPID returns the process that listens on TCP port (0 if none is found).
func listenerPID(port int) int {
	if port == 0 {
		return 0
	}
	inodes := map[string]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			if len(f) < 10 || f[3] != "0A" { // LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(f[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		fds, _ := filepath.Glob(d + "/fd/*")
		for _, fd := range fds {
			if l, err := os.Readlink(fd); err == nil && inodes[l] {
				pid, _ := strconv.Atoi(filepath.Base(d))
				return pid
			}
		}
	}
	return 0
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
	s.self, _, _ = procTimes(os.Getpid())
	if sv.postmaster != 0 {
		self, children, _ := procTimes(sv.postmaster)
		s.postgres = self + children
		for _, pid := range childrenOf(sv.postmaster) {
			c, _, _ := procTimes(pid)
			s.postgres += c
		}
	}
	s.kafka, _, _ = procTimes(sv.kafka)
	s.redis, _, _ = procTimes(sv.redis)
	s.busy, s.total = machineCPU()
	return s
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []int
	for _, d := range dirs {
		c, _ := strconv.Atoi(filepath.Base(d))
		if ppid(c) == pid {
			out = append(out, c)
		}
	}
	return out
}

func ppid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// machineCPU returns busy and total CPU seconds of all cores from /proc/stat.
func machineCPU() (busy, total float64) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0
	}
	fields := strings.Fields(sc.Text()) // cpu user nice system idle iowait irq softirq steal ...
	for i, v := range fields[1:] {
		if i >= 8 { // guest times are already counted in user
			break
		}
		n, _ := strconv.ParseFloat(v, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy / clockTicks, total / clockTicks
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

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// machine describes where the benchmark ran.
type machine struct {
	CPUs       int    `json:"cpus"`
	CPUModel   string `json:"cpu_model"`
	MemoryMB   int    `json:"memory_mb"`
	Kernel     string `json:"kernel"`
	GoVersion  string `json:"go_version"`
	PostgreSQL string `json:"postgresql,omitempty"`
	Redis      string `json:"redis,omitempty"`
	Kafka      string `json:"kafka,omitempty"`
	LoadAvg    string `json:"loadavg_at_start"`
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadAvg: loadAvg()}
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
