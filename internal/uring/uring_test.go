//go:build linux

package uring_test

import (
	"bytes"
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"bullpen/internal/uring"
)

func newRing(t *testing.T, entries int) *uring.Ring {
	t.Helper()
	r, err := uring.New(entries)
	if errors.Is(err, uring.ErrUnsupported) {
		t.Skipf("io_uring refused here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// pair is a connected stream socket pair: the first end is sent to, the second read.
func pair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Close(fds[0]); _ = unix.Close(fds[1]) })
	return fds[0], fds[1]
}

func TestSendAllSendsEachBufferToItsSocketInBatchesOfTheRingsSize(t *testing.T) {
	r := newRing(t, 8)
	var sends []uring.Send
	var peers []int
	for i := range 21 { // three batches of 8
		a, b := pair(t)
		sends = append(sends, uring.Send{Fd: a, Buf: bytes.Repeat([]byte{byte('a' + i)}, 100+i)})
		peers = append(peers, b)
	}
	if err := r.SendAll(sends); err != nil {
		t.Fatal(err)
	}
	for i, s := range sends {
		if s.Err != nil || s.N != len(s.Buf) {
			t.Fatalf("send %d: %d bytes, %v; want %d", i, s.N, s.Err, len(s.Buf))
		}
		got := make([]byte, 1000)
		n, err := unix.Read(peers[i], got)
		if err != nil || !bytes.Equal(got[:n], s.Buf) {
			t.Fatalf("socket %d read %q, %v; want %q", i, got[:n], err, s.Buf)
		}
	}
}

func TestASocketThatCannotTakeItAllSaysSoWithoutWaiting(t *testing.T) {
	r := newRing(t, 4)
	full, _ := pair(t)
	if err := unix.SetsockoptInt(full, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 1<<20)
	closed, peer := pair(t)
	if err := unix.Close(peer); err != nil {
		t.Fatal(err)
	}
	sends := []uring.Send{{Fd: full, Buf: big}, {Fd: full, Buf: big}, {Fd: closed, Buf: []byte("x")}, {Fd: 1 << 20, Buf: []byte("x")}}
	if err := r.SendAll(sends); err != nil {
		t.Fatal(err)
	}
	if s := sends[0]; s.Err != nil || s.N <= 0 || s.N >= len(big) {
		t.Errorf("the first send to a small buffer: %d bytes, %v; want part of it", s.N, s.Err)
	}
	if s := sends[1]; !errors.Is(s.Err, syscall.EAGAIN) || s.N != 0 {
		t.Errorf("the second, to the full buffer: %d bytes, %v; want EAGAIN", s.N, s.Err)
	}
	if s := sends[2]; !errors.Is(s.Err, syscall.EPIPE) {
		t.Errorf("to a socket whose peer closed: %d bytes, %v; want EPIPE (and no signal)", s.N, s.Err)
	}
	if s := sends[3]; !errors.Is(s.Err, syscall.EBADF) {
		t.Errorf("to no socket: %d bytes, %v; want EBADF", s.N, s.Err)
	}
}

func TestARingThatFailsSaysNothingWasSent(t *testing.T) {
	r, err := uring.New(4)
	if errors.Is(err, uring.ErrUnsupported) {
		t.Skipf("io_uring refused here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	r.Break()
	a, _ := pair(t)
	sends := []uring.Send{{Fd: a, Buf: []byte("x")}, {Fd: a, Buf: []byte("y")}}
	if err := r.SendAll(sends); err == nil {
		t.Fatal("a broken ring sent")
	}
	for i, s := range sends {
		if !errors.Is(s.Err, uring.ErrNotSent) || s.N != 0 {
			t.Errorf("send %d: %d bytes, %v; want ErrNotSent", i, s.N, s.Err)
		}
	}
}
