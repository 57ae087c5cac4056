//go:build !linux

package uring

// Ring is io_uring's submission and completion rings; there is none on this system.
type Ring struct{}

// New fails: io_uring is Linux's.
func New(int) (*Ring, error) { return nil, ErrUnsupported }

// SendAll does nothing.
func (*Ring) SendAll([]Send) error { return ErrUnsupported }

// Close does nothing.
func (*Ring) Close() error { return nil }
