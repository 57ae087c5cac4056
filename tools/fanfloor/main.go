//go:build linux

// Command fanfloor measures the floor under any WebSocket fan-out on this machine: how soon one
// small frame can reach every one of N loopback TCP sockets, and how many frames per second the
// machine moves, with no server in it. A writer process sends the same ready-made frame (a
// WebSocket text frame of -size bytes carrying its round's start time) to every socket, from
// one goroutine per core with plain non-blocking write(2) calls; a reader process, as frugal as
// a reader can be (epoll, one read per ready socket, no goroutine per socket), timestamps each
// frame. A round starts every -interval (0: back to back); a frame's latency is its arrival
// minus its round's start, so it holds the frame's place in the round, as a celebration's does.
//
//	bin/fanfloor -sockets 10000 -interval 50ms -duration 20s
//
// Bullpen's figures (tools/loadgen) are read against these: what the kernel's loopback costs per
// frame, on both ends, before anything else runs. With -uring the writer sends each worker's
// sockets through io_uring, 256 per system call (internal/uring): the same TCP work, fewer
// system call entries; the floor the issues quote is the write(2) one.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"bullpen/internal/uring"
)

type options struct {
	sockets   int
	interval  time.Duration
	duration  time.Duration
	size      int
	sourceIPs int
	role      string
	addr      string
	uring     bool
}

// report is the reader's account, printed as JSON for the writer to merge.
type report struct {
	Frames    int64   `json:"frames"`
	Short     int64   `json:"short"` // sockets that missed frames of a round
	P50ms     float64 `json:"p50_ms"`
	P90ms     float64 `json:"p90_ms"`
	P99ms     float64 `json:"p99_ms"`
	MaxMs     float64 `json:"max_ms"`
	CPUSec    float64 `json:"cpu_seconds"` // from the first frame to the last
	Span      float64 `json:"span_seconds"`
	ReadCalls int64   `json:"read_calls"`
}

func main() {
	var o options
	flag.IntVar(&o.sockets, "sockets", 10000, "TCP connections on loopback")
	flag.DurationVar(&o.interval, "interval", 50*time.Millisecond, "a round starts this often (0: back to back)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long rounds are sent")
	flag.IntVar(&o.size, "size", 250, "frame size in bytes (a celebration frame is about 250)")
	flag.IntVar(&o.sourceIPs, "source-ips", 4, "local source addresses 127.0.0.1..127.0.0.N for the reader's connections")
	flag.BoolVar(&o.uring, "uring", false, "the writer sends through io_uring, a batch of sockets per system call, instead of a write(2) each")
	flag.StringVar(&o.role, "role", "", "internal: reader")
	flag.StringVar(&o.addr, "addr", "", "internal: the writer's address")
	flag.Parse()
	log.SetFlags(log.Ltime)
	if o.size < 16 || o.size > 4096 {
		log.Fatal("-size must be 16..4096 bytes")
	}
	var err error
	if o.role == "reader" {
		err = read(o)
	} else {
		err = write(o)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// frame is a server-to-client WebSocket text frame of size bytes whose payload starts with
// the round's start time (unix ns).
func frame(size int, start int64) []byte {
	b := make([]byte, size)
	h := headerLen(size)
	if h == 2 {
		b[0], b[1] = 0x81, byte(size-h)
	} else {
		b[0], b[1] = 0x81, 126
		binary.BigEndian.PutUint16(b[2:], uint16(size-h))
	}
	binary.LittleEndian.PutUint64(b[h:], uint64(start))
	for i := h + 8; i < size; i++ {
		b[i] = 'x'
	}
	return b
}

// headerLen is the WebSocket header's length for a frame of size bytes.
func headerLen(size int) int {
	if size-2 <= 125 {
		return 2
	}
	return 4
}

func write(o options) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, self, "-role", "reader", "-addr", ln.Addr().String(),
		"-sockets", strconv.Itoa(o.sockets), "-size", strconv.Itoa(o.size), "-source-ips", strconv.Itoa(o.sourceIPs))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	conns := make([]*net.TCPConn, 0, o.sockets)
	fds := make([]int, 0, o.sockets)
	for len(conns) < o.sockets {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		tc := c.(*net.TCPConn)
		rc, err := tc.SyscallConn()
		if err != nil {
			return err
		}
		_ = rc.Control(func(fd uintptr) { fds = append(fds, int(fd)) })
		conns = append(conns, tc)
	}
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		return fmt.Errorf("reader did not get ready: %q", lines.Text())
	}
	log.Printf("%d sockets connected; %v rounds for %v", len(fds), o.interval, o.duration)

	workers := runtime.GOMAXPROCS(0)
	rings := make([]*uring.Ring, workers)
	sends := make([][]uring.Send, workers)
	if o.uring {
		for w := range rings {
			if rings[w], err = uring.New(256); err != nil {
				return err
			}
			defer func() { _ = rings[w].Close() }()
			for _, fd := range fds[w*len(fds)/workers : (w+1)*len(fds)/workers] {
				sends[w] = append(sends[w], uring.Send{Fd: fd})
			}
		}
	}
	var rounds, blocked atomic.Int64
	cpu0 := cpuTime()
	t0 := time.Now()
	next := t0
	for time.Since(t0) < o.duration {
		if o.interval > 0 {
			time.Sleep(time.Until(next))
			next = next.Add(o.interval)
		}
		f := frame(o.size, time.Now().UnixNano())
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				if o.uring {
					for i := range sends[w] {
						sends[w][i].Buf = f
					}
					if err := rings[w].SendAll(sends[w]); err != nil {
						log.Fatal(err)
					}
					for _, s := range sends[w] {
						if s.N != len(f) {
							blocked.Add(1)
						}
					}
					return
				}
				for i := w; i < len(fds); i += workers {
					if n, err := unix.Write(fds[i], f); err != nil || n != len(f) {
						blocked.Add(1)
					}
				}
			})
		}
		wg.Wait()
		rounds.Add(1)
	}
	elapsed := time.Since(t0)
	writerCPU := (cpuTime() - cpu0).Seconds() / elapsed.Seconds()
	time.Sleep(500 * time.Millisecond) // the last round's frames arrive
	for _, c := range conns {
		_ = c.CloseWrite()
	}
	var r report
	if !lines.Scan() {
		return fmt.Errorf("no report from the reader: %v", lines.Err())
	}
	if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
		return err
	}
	_ = cmd.Wait()
	n := rounds.Load()
	mode := "write(2)"
	if o.uring {
		mode = "io_uring"
	}
	fmt.Printf("writer: %s\n", mode)
	fmt.Printf("sockets %d, frame %d B, rounds %d in %.1f s (%.1f/s)\n", o.sockets, o.size, n, elapsed.Seconds(), float64(n)/elapsed.Seconds())
	fmt.Printf("frames written %d/s (%d would have waited), read %d (%d short sockets), read calls %d\n",
		int64(float64(n)*float64(o.sockets)/elapsed.Seconds()), blocked.Load(), r.Frames, r.Short, r.ReadCalls)
	fmt.Printf("latency from the round's start: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n", r.P50ms, r.P90ms, r.P99ms, r.MaxMs)
	fmt.Printf("CPU: writer %.2f cores (%.2f µs/frame), reader %.2f cores (%.2f µs/frame)\n",
		writerCPU, writerCPU*1e6/(float64(n)*float64(o.sockets)/elapsed.Seconds()),
		r.CPUSec/r.Span, r.CPUSec*1e6/float64(r.Frames))
	return nil
}

func cpuTime() time.Duration {
	var ru unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
