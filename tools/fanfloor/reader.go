//go:build linux

package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// conn is one of the reader's sockets: what it holds of a frame cut by a read, and how many
// frames it read.
type conn struct {
	fd     int
	part   []byte
	frames int64
}

// read connects the sockets, says "ready", reads until the writer closes them all and prints
// its report.
func read(o options) error {
	ap, err := netip.ParseAddrPort(o.addr)
	if err != nil {
		return err
	}
	workers := runtime.GOMAXPROCS(0)
	eps := make([]int, workers)
	for i := range eps {
		if eps[i], err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
			return err
		}
	}
	conns := make([]*conn, o.sockets)
	for i := range conns {
		fd, err := dial(ap, i%max(o.sourceIPs, 1))
		if err != nil {
			return fmt.Errorf("socket %d: %w", i, err)
		}
		conns[i] = &conn{fd: fd, part: make([]byte, 0, o.size)}
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}
		if err := unix.EpollCtl(eps[i%workers], unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return err
		}
	}
	fmt.Println("ready")
	cpuReady := cpuTime() // what follows is reading, or waiting in epoll_wait for free

	type result struct {
		lat   []int32 // µs
		calls int64
		first time.Time
		last  time.Time
	}
	results := make([]result, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			runtime.LockOSThread()
			res := &results[w]
			res.lat = make([]int32, 0, 1<<20)
			events := make([]unix.EpollEvent, 256)
			buf := make([]byte, 64<<10)
			open := 0
			for i := w; i < len(conns); i += workers {
				open++
			}
			for open > 0 {
				n, err := unix.EpollWait(eps[w], events, 1000)
				if err != nil && err != unix.EINTR {
					return
				}
				for _, ev := range events[:max(n, 0)] {
					c := conns[ev.Fd]
					m, err := unix.Read(c.fd, buf)
					res.calls++
					if err == unix.EAGAIN {
						continue
					}
					if m <= 0 {
						_ = unix.Close(c.fd)
						open--
						continue
					}
					now := time.Now()
					if res.first.IsZero() {
						res.first = now
					}
					res.last = now
					b := buf[:m]
					for len(b) > 0 {
						take := min(o.size-len(c.part), len(b))
						c.part = append(c.part, b[:take]...)
						b = b[take:]
						if len(c.part) == o.size {
							start := int64(binary.LittleEndian.Uint64(c.part[headerLen(o.size):]))
							res.lat = append(res.lat, int32((now.UnixNano()-start)/1000))
							c.frames++
							c.part = c.part[:0]
						}
					}
				}
			}
		})
	}
	wg.Wait()
	var r report
	var all []int32
	first, last := results[0].first, results[0].last
	for _, res := range results {
		all = append(all, res.lat...)
		r.ReadCalls += res.calls
		if res.first.Before(first) {
			first = res.first
		}
		if res.last.After(last) {
			last = res.last
		}
	}
	r.CPUSec = (cpuTime() - cpuReady).Seconds()
	r.Span = last.Sub(first).Seconds()
	most := int64(0)
	for _, c := range conns {
		most = max(most, c.frames)
	}
	for _, c := range conns {
		r.Frames += c.frames
		if c.frames < most {
			r.Short++
		}
	}
	slices.Sort(all)
	pct := func(q float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(int(q*float64(len(all))), len(all)-1)]) / 1000
	}
	r.P50ms, r.P90ms, r.P99ms, r.MaxMs = pct(0.50), pct(0.90), pct(0.99), pct(1)
	return json.NewEncoder(os.Stdout).Encode(r)
}

// dial connects a non-blocking socket from 127.0.0.(1+src) to the writer.
func dial(to netip.AddrPort, src int) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, byte(1 + src)}}); err != nil {
		_ = unix.Close(fd)
		return -1, err
	}
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().As4()}); err != nil {
		_ = unix.Close(fd)
		return -1, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return -1, err
	}
	return fd, nil
}
