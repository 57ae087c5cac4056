//go:build !linux

package main

import (
	"context"
	"net"
	"syscall"
	"time"
)

func dialRx(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return d.DialContext
}

func arrivedAt(net.Conn, time.Time) (time.Duration, bool) { return 0, false }

var ownSessions bool

func ownSession() *syscall.SysProcAttr {
	if !ownSessions {
		return nil
	}
	return &syscall.SysProcAttr{Setsid: true}
}
