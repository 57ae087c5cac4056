package uring

import "golang.org/x/sys/unix"

// Break closes the ring's descriptor under it, as a ring the kernel no longer takes.
func (r *Ring) Break() { _ = unix.Close(r.fd); r.fd = -1 }
