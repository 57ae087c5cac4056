// Package uring sends one buffer each to many sockets with one system call per batch, through
// Linux's io_uring, instead of a write(2) per socket. On this project's machines a system
// call's entry and exit cost about a third of a small loopback write; a fan-out writing to
// thousands of sockets a round pays it once per batch here. Only what that needs is here: no
// library (none is kept up for it among Go's modules here), no polling thread, no registered
// buffers. Where io_uring is missing or refused (other systems, old kernels, a seccomp policy
// that forbids it, as container runtimes' defaults do), New fails and callers write as before.
package uring

import "errors"

// Send is one send: Buf to the socket Fd, without waiting (MSG_DONTWAIT). SendAll sets N, the
// bytes the socket took, and Err, the error when it took none (EAGAIN: its buffer is full).
type Send struct {
	Fd  int
	Buf []byte
	N   int
	Err error
}

// ErrUnsupported is New's error where io_uring is not there.
var ErrUnsupported = errors.New("io_uring is not supported here")

// Errors a Send is left with when SendAll fails: ErrNotSent, it never reached the kernel (it
// may be sent again another way); ErrUnknown, it did, but its completion was not seen, so
// whether the socket took it is not known.
var (
	ErrNotSent = errors.New("io_uring: not submitted")
	ErrUnknown = errors.New("io_uring: submitted, its outcome unknown")
)
