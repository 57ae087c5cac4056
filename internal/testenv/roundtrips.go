package testenv

import (
	"context"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// RoundTrips is a go-redis hook that records each round trip a client makes: a command sent
// alone, or a pipeline (named by its commands, "hmget+hget+evalsha"), and the commands.
type RoundTrips struct {
	mu    sync.Mutex
	trips []string
	cmds  []goredis.Cmder
}

// CountRoundTrips hooks a RoundTrips onto c (a hook cannot be taken off: Reset it instead).
func CountRoundTrips(c goredis.UniversalClient) *RoundTrips {
	r := &RoundTrips{}
	c.AddHook(r)
	return r
}

// Reset forgets the round trips recorded so far.
func (r *RoundTrips) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trips, r.cmds = nil, nil
}

// Trips are the round trips recorded since the last Reset, in order.
func (r *RoundTrips) Trips() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.trips...)
}

// Commands are the commands sent since the last Reset, in order.
func (r *RoundTrips) Commands() []goredis.Cmder {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]goredis.Cmder(nil), r.cmds...)
}

func (r *RoundTrips) add(cmds []goredis.Cmder) {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.Name()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trips = append(r.trips, strings.Join(names, "+"))
	r.cmds = append(r.cmds, cmds...)
}

func (r *RoundTrips) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *RoundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.add([]goredis.Cmder{cmd})
		return next(ctx, cmd)
	}
}

func (r *RoundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.add(cmds)
		return next(ctx, cmds)
	}
}
