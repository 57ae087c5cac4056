//go:build linux

package uring

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Ring is one io_uring: its submission queue, completion queue and entries, mapped from the
// kernel. A Ring is not safe for use by several goroutines at once: each writer owns one.
type Ring struct {
	fd       int
	rings    []byte // the submission and completion rings (one mapping: IORING_FEAT_SINGLE_MMAP)
	sqes     []byte
	sqTail   *uint32
	sqMask   uint32
	sqArray  unsafe.Pointer
	cqHead   *uint32
	cqTail   *uint32
	cqMask   uint32
	cqes     unsafe.Pointer
	capacity int
}

// The kernel's layouts, from include/uapi/linux/io_uring.h.
type sqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1 uint32
	UserAddr                                                        uint64
}

type cqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1 uint32
	UserAddr                                                        uint64
}

type params struct {
	SqEntries, CqEntries, Flags, SqThreadCPU, SqThreadIdle, Features, WqFd uint32
	Resv                                                                   [3]uint32
	SqOff                                                                  sqringOffsets
	CqOff                                                                  cqringOffsets
}

type sqe struct {
	Opcode      uint8
	Flags       uint8
	Ioprio      uint16
	Fd          int32
	Off         uint64
	Addr        uint64
	Len         uint32
	MsgFlags    uint32
	UserData    uint64
	BufIndex    uint16
	Personality uint16
	SpliceFdIn  int32
	Addr3       uint64
	Pad         uint64
}

type cqe struct {
	UserData uint64
	Res      int32
	Flags    uint32
}

const (
	opSend         = 26 // IORING_OP_SEND
	enterGetEvents = 1  // IORING_ENTER_GETEVENTS
	offSQEs        = 0x10000000
	featSingleMmap = 1
	sqeSize        = int(unsafe.Sizeof(sqe{}))
	cqeSize        = int(unsafe.Sizeof(cqe{}))
)

// New sets up a ring of entries sends per system call (the kernel rounds it up to a power of
// two), or fails where io_uring is missing or refused.
func New(entries int) (*Ring, error) {
	var p params
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if errno != 0 {
		return nil, fmt.Errorf("%w: io_uring_setup: %w", ErrUnsupported, errno)
	}
	r := &Ring{fd: int(fd), capacity: int(p.SqEntries)}
	if p.Features&featSingleMmap == 0 {
		_ = unix.Close(r.fd)
		return nil, fmt.Errorf("%w: the kernel lacks IORING_FEAT_SINGLE_MMAP (5.4)", ErrUnsupported)
	}
	size := max(int(p.SqOff.Array)+int(p.SqEntries)*4, int(p.CqOff.Cqes)+int(p.CqEntries)*cqeSize)
	var err error
	if r.rings, err = unix.Mmap(r.fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		_ = unix.Close(r.fd)
		return nil, fmt.Errorf("io_uring: map the rings: %w", err)
	}
	if r.sqes, err = unix.Mmap(r.fd, offSQEs, int(p.SqEntries)*sqeSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		_ = unix.Munmap(r.rings)
		_ = unix.Close(r.fd)
		return nil, fmt.Errorf("io_uring: map the entries: %w", err)
	}
	at := func(off uint32) unsafe.Pointer { return unsafe.Pointer(&r.rings[off]) }
	r.sqTail, r.sqMask, r.sqArray = (*uint32)(at(p.SqOff.Tail)), *(*uint32)(at(p.SqOff.RingMask)), at(p.SqOff.Array)
	r.cqHead, r.cqTail = (*uint32)(at(p.CqOff.Head)), (*uint32)(at(p.CqOff.Tail))
	r.cqMask, r.cqes = *(*uint32)(at(p.CqOff.RingMask)), at(p.CqOff.Cqes)
	return r, nil
}

// SendAll sends every send's buffer to its socket without waiting, as many per system call as
// the ring holds: each batch is submitted, and its completions waited for, by one
// io_uring_enter. A send to a full socket buffer completes at once with EAGAIN (MSG_DONTWAIT),
// so the call never waits for a socket. The buffers must not change until SendAll returns.
// When it fails, each send says whether it was submitted (ErrNotSent, ErrUnknown) or done.
func (r *Ring) SendAll(sends []Send) error {
	for i := range sends {
		sends[i].N, sends[i].Err = 0, ErrNotSent
	}
	for len(sends) > 0 {
		n := min(len(sends), r.capacity)
		tail := atomic.LoadUint32(r.sqTail)
		for i := range sends[:n] {
			s := &sends[i]
			idx := (tail + uint32(i)) & r.sqMask
			e := (*sqe)(unsafe.Pointer(&r.sqes[int(idx)*sqeSize]))
			*e = sqe{Opcode: opSend, Fd: int32(s.Fd), Len: uint32(len(s.Buf)), MsgFlags: unix.MSG_DONTWAIT | unix.MSG_NOSIGNAL,
				UserData: uint64(i)}
			if len(s.Buf) > 0 {
				e.Addr = uint64(uintptr(unsafe.Pointer(&s.Buf[0])))
			}
			*(*uint32)(unsafe.Add(r.sqArray, 4*int(idx))) = idx
		}
		atomic.StoreUint32(r.sqTail, tail+uint32(n))
		if err := r.enter(n); err != nil {
			// Nothing was submitted (io_uring_enter fails only then): take the entries back.
			atomic.StoreUint32(r.sqTail, tail)
			return err
		}
		for i := range sends[:n] {
			sends[i].Err = ErrUnknown
		}
		head, done := atomic.LoadUint32(r.cqHead), 0
		for done < n {
			for ctail := atomic.LoadUint32(r.cqTail); head != ctail; head++ {
				c := (*cqe)(unsafe.Add(r.cqes, cqeSize*int(head&r.cqMask)))
				s := &sends[c.UserData]
				if s.Err = nil; c.Res >= 0 {
					s.N = int(c.Res)
				} else {
					s.Err = syscall.Errno(-c.Res)
				}
				done++
			}
			atomic.StoreUint32(r.cqHead, head)
			if done < n { // not all were in yet (the kernel posts them before it returns; this is a safeguard)
				if err := r.enter(0); err != nil {
					return err
				}
			}
		}
		runtime.KeepAlive(sends)
		sends = sends[n:]
	}
	return nil
}

// enter submits n entries and waits for at least one completion (all of them, as sends that do
// not wait complete before the call returns).
func (r *Ring) enter(n int) error {
	for {
		_, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(n), uintptr(max(n, 1)), enterGetEvents, 0, 0)
		switch errno {
		case 0:
			return nil
		case unix.EINTR: // submitting the n again is safe: the kernel takes only what is still queued
			continue
		}
		return fmt.Errorf("io_uring_enter: %w", errno)
	}
}

// Close unmaps the rings and closes the ring's descriptor.
func (r *Ring) Close() error {
	_ = unix.Munmap(r.sqes)
	_ = unix.Munmap(r.rings)
	if r.fd < 0 {
		return nil
	}
	return unix.Close(r.fd)
}
