//go:build !linux

package main

import (
	"errors"

	"github.com/fasthttp/websocket"
)

// poller is Linux's (epoll); elsewhere every socket has a reading goroutine.
type poller struct{}

func newPoller(*env) (*poller, error) { return nil, nil }

func (p *poller) adopt(*client, *websocket.Conn) error { return errors.New("no poller here") }

func (c *client) write(int, []byte) error { return errors.New("no poller here") }

func (c *client) leaveAdopted() {}
