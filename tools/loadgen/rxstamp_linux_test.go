//go:build linux

package main

import (
	"context"
	"net"
	"testing"
	"time"
)

// A frame is timed when it reached the socket, not when the program got round to reading it.
func TestRxConnTimesArrivalNotRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	start := time.Now()
	c, err := dialRx(&net.Dialer{})(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if _, ok := c.(*rxConn); !ok {
		t.Fatalf("dialRx gave a %T: the kernel refused receive timestamps", c)
	}
	srv := <-accepted
	if srv == nil {
		t.Fatal("no connection accepted")
	}
	defer func() { _ = srv.Close() }()

	// Enabling timestamps turns the kernel's stamping on a moment later (deferred work when no
	// other socket had asked), so the first segments may come unstamped: a few tries.
	const late = 200 * time.Millisecond
	buf := make([]byte, 16)
	for try := 1; ; try++ {
		written := time.Since(start)
		if _, err := srv.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(late) // the reader is busy elsewhere
		n, err := c.Read(buf)
		read := time.Since(start)
		if err != nil || string(buf[:n]) != "hello" {
			t.Fatalf("read %q, %v", buf[:n], err)
		}
		at, ok := arrivedAt(c, start)
		if !ok {
			if try == 5 {
				t.Fatal("no receive time in 5 reads")
			}
			continue
		}
		// Arrival is after the write began (a millisecond of slack: the kernel's clock is the
		// wall clock, ours the monotonic one) and well before the read, `late` after it.
		if at < written-time.Millisecond || at > read-late/2 {
			t.Fatalf("arrived at %v; written at %v, read at %v", at, written, read)
		}
		return
	}
}
