package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"runtime"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// A Redis URL names one server, redis://[user:password@]host:port/db (rediss:// for TLS), or a
// Redis Cluster, redis+cluster://[user:password@]host:port?addr=host2:port2&addr=host3:port3
// (rediss+cluster:// for TLS): the nodes the client first asks for the cluster's layout (one is
// enough; it learns the others from it). Both take go-redis's query options (dial_timeout=…);
// a cluster has database 0 only.
const clusterSuffix = "+cluster"

// DefaultPoolSize is the least bound on a client's connections (per node of a cluster) when
// the URL sets none (`pool_size=`); go-redis's own, 10 per core, is kept when larger. A server
// under a burst of arrivals (docs/benchmarks.md, "Morning rush") has thousands of requests each making a
// few round trips one after the other; with 20 connections on 2 cores they queued for a
// connection while Redis itself had time to spare. Connections are opened as needed, so the
// bound costs nothing while it is not reached.
const DefaultPoolSize = 128

// connBufferSize sizes each pooled connection's read and write buffers (go-redis's own: 32 KiB
// each). The server's pool grows with a burst (in a morning rush its connections' buffers
// held 11 MB, a quarter of its live heap), while its commands and their replies are a
// few hundred bytes to a few KB; a larger one is read or written through in a few more calls.
// Pipelines have a pool of their own, with go-redis's larger buffers (128 KiB).
const connBufferSize = 8 << 10

// Dialer opens a client's connections (nil: go-redis's own).
type Dialer = func(ctx context.Context, network, addr string) (net.Conn, error)

// NewClient returns a client for url, a server's or a cluster's; it does not connect yet.
// Every Redis client of Bullpen and its tools is made here.
func NewClient(url string, dial Dialer) (goredis.UniversalClient, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		// url.Parse's error quotes the URL, password and all.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	base, cluster := strings.CutSuffix(u.Scheme, clusterSuffix)
	if !cluster {
		opt, err := goredis.ParseURL(url)
		if err != nil {
			return nil, fmt.Errorf("parse redis url: %w", err)
		}
		if dial != nil {
			opt.Dialer = dial
		}
		if !u.Query().Has("pool_size") {
			opt.PoolSize = max(10*runtime.GOMAXPROCS(0), DefaultPoolSize)
		}
		opt.ReadBufferSize, opt.WriteBufferSize = connBufferSize, connBufferSize
		return goredis.NewClient(opt), nil
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
		return nil, fmt.Errorf("parse redis url: a cluster has database 0 only, not %q", p)
	}
	u.Scheme, u.Path = base, ""
	opt, err := goredis.ParseClusterURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("parse redis cluster url: %w", err)
	}
	if dial != nil {
		opt.Dialer = dial
	}
	if !u.Query().Has("pool_size") {
		opt.PoolSize = max(10*runtime.GOMAXPROCS(0), DefaultPoolSize) // per node
	}
	opt.ReadBufferSize, opt.WriteBufferSize = connBufferSize, connBufferSize
	return goredis.NewClusterClient(opt), nil
}

// ForEachMaster runs fn on every master of c: the one server, or each master of a cluster
// (concurrently). What a node answers for itself alone (SCAN, PUBSUB NUMSUB) is asked this way.
func ForEachMaster(ctx context.Context, c goredis.UniversalClient, fn func(context.Context, *goredis.Client) error) error {
	switch c := c.(type) {
	case *goredis.ClusterClient:
		return c.ForEachMaster(ctx, fn)
	case *goredis.Client:
		return fn(ctx, c)
	default:
		return fmt.Errorf("redis: a %T is neither a server's client nor a cluster's", c)
	}
}
