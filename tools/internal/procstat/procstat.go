// Package procstat reads CPU time and processes from /proc, for the benchmark programs: who
// used how much of the machine during a run.
package procstat

import (
	"bufio"
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux build that
// matters (reading it needs sysconf, i.e. cgo).
const clockTicks = 100

// Times reads a process's CPU seconds from /proc/<pid>/stat: its own user+system time and
// that of its children it has waited for.
func Times(pid int) (self, children float64, ok bool) {
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

// Parent returns the parent of pid (0 if unknown).
func Parent(pid int) int {
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

// Children lists the processes whose parent is pid.
func Children(pid int) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []int
	for _, d := range dirs {
		c, _ := strconv.Atoi(filepath.Base(d))
		if Parent(c) == pid {
			out = append(out, c)
		}
	}
	return out
}

// URLListenerPID returns the process that listens on the port a service's URL names
// (redis://127.0.0.1:26379/0, say), or on defaultPort when it names none; 0 if none is found
// or the URL does not parse.
func URLListenerPID(rawURL string, defaultPort int) int {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0
	}
	port := defaultPort
	if u.Port() != "" {
		if port, err = strconv.Atoi(u.Port()); err != nil {
			return 0
		}
	}
	return ListenerPID(port)
}

// ListenerPID returns the process that listens on TCP port (0 if none is found).
func ListenerPID(port int) int {
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

// Machine returns busy and total CPU seconds of all cores from /proc/stat.
func Machine() (busy, total float64) {
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

// LoadAvg is the 1, 5 and 15 minute load averages as /proc/loadavg says them.
func LoadAvg() string {
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

// RSS is a process's resident set size in bytes, from /proc/<pid>/status (0 if unknown).
func RSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest) // "123456 kB"
			if len(f) >= 1 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}
