package app

import (
	"context"
	"log/slog"

	httpapi "bullpen/internal/http"
	"bullpen/internal/live"
	"bullpen/internal/redis"
)

// The adapters the live subsystem is built from, and the subsystem as the API mounts it.
var (
	_ httpapi.Sockets = (*live.Live)(nil)

	_ live.Tokens        = (*httpapi.Server)(nil)
	_ live.Snapshots     = (*httpapi.Snapshots)(nil)
	_ live.ChannelLog    = channelLog{}
	_ live.Subscription  = (*redis.Subscription)(nil)
	_ live.PresenceStore = (*redis.Store)(nil)
)

// channelLog is the Redis store as live's channel log: its subscription, a Redis type, is
// handed over as live's interface.
type channelLog struct{ *redis.Store }

func (l channelLog) Listen(ctx context.Context) (live.Subscription, error) {
	sub, err := l.Store.Listen(ctx)
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// NewSockets builds the live subsystem on the API's token authentication and views and on
// Redis; d brings the rest (the process's logger, of which it gets a child naming it,
// currency, origins, options).
func NewSockets(srv *httpapi.Server, store *redis.Store, d live.Deps) *live.Live {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	d.Logger = d.Logger.With("component", "live")
	d.Tokens, d.Log, d.Presence, d.Registry = srv, channelLog{store}, store, srv.Registry()
	if d.Snapshots == nil { // tests may bring the server's own, wrapped
		d.Snapshots = srv.Snapshots()
	}
	return live.New(d)
}
