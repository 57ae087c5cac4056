package redis_test

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

// The scheme says whether a URL names a server or a cluster; a cluster's addr= nodes are seeds
// besides the first, and it has database 0 only.
func TestNewClientReadsAServersURLAndAClusters(t *testing.T) {
	c, err := redis.NewClient("redis://127.0.0.1:6379/3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := c.(*goredis.Client); !ok || s.Options().DB != 3 || s.Options().Addr != "127.0.0.1:6379" {
		t.Fatalf("redis:// gave %T %+v", c, c)
	}
	_ = c.Close()

	for _, u := range []string{"redis+cluster://10.0.0.1:7000?addr=10.0.0.2:7001&addr=10.0.0.3:7002",
		"redis+cluster://10.0.0.1:7000/0?addr=10.0.0.2:7001&addr=10.0.0.3:7002"} {
		c, err := redis.NewClient(u, nil)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		cl, ok := c.(*goredis.ClusterClient)
		if !ok {
			t.Fatalf("%s gave a %T", u, c)
		}
		if got := strings.Join(cl.Options().Addrs, ","); got != "10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002" || cl.Options().TLSConfig != nil {
			t.Fatalf("%s: seeds %s, TLS %v", u, got, cl.Options().TLSConfig)
		}
		_ = c.Close()
	}

	c, err = redis.NewClient("rediss+cluster://user:pw@node-1.example.com:7000", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cl, ok := c.(*goredis.ClusterClient); !ok || cl.Options().TLSConfig == nil || cl.Options().Password != "pw" {
		t.Fatalf("rediss+cluster:// gave %T without TLS or password", c)
	}
	_ = c.Close()

	for u, want := range map[string]string{
		"redis+cluster://10.0.0.1:7000/2":        "database 0 only",
		"redis+cluster://10.0.0.1:7000?addr=x":   "addr",
		"redis://user:hunter2@10.0.0.1:7000/%zz": "invalid URL escape",
		"mysql://10.0.0.1:3306":                  "scheme",
	} {
		_, err := redis.NewClient(u, nil)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v, want an error about %q that keeps the password out", u, err, want)
		}
	}
}

// A client may open many connections unless the URL bounds them: a burst of requests each
// waiting its turn for one of 20 was the morning rush's first queue.
func TestNewClientBoundsItsConnectionsAsTheURLSays(t *testing.T) {
	for u, want := range map[string]int{
		"redis://127.0.0.1:6379/0":                           max(redis.DefaultPoolSize, 10*runtime.GOMAXPROCS(0)),
		"redis://127.0.0.1:6379/0?pool_size=7":               7,
		"redis+cluster://10.0.0.1:7000":                      max(redis.DefaultPoolSize, 10*runtime.GOMAXPROCS(0)),
		"redis+cluster://10.0.0.1:7000?pool_size=9&addr=x:1": 9,
	} {
		c, err := redis.NewClient(u, nil)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		got := 0
		switch c := c.(type) {
		case *goredis.Client:
			got = c.Options().PoolSize
		case *goredis.ClusterClient:
			got = c.Options().PoolSize
		}
		_ = c.Close()
		if got != want {
			t.Errorf("%s: pool of %d, want %d", u, got, want)
		}
	}
}

// A connection's buffers are small (a pool of a hundred holds them all; a cluster's as well),
// and a command or a reply larger than they are still goes through whole.
func TestAValueLargerThanAConnectionsBuffersGoesThroughWhole(t *testing.T) {
	c, err := redis.NewClient(testenv.RedisURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, u := range []string{"redis://127.0.0.1:6379/0", "redis+cluster://127.0.0.1:7000"} {
		other, err := redis.NewClient(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = other.Close()
		checkBuffers(t, u, other)
	}
	checkBuffers(t, "the test's", c)
	ctx := context.Background()
	key := testenv.Name("big")
	defer c.Del(ctx, key)
	big := make([]byte, 200<<10)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	if err := c.Set(ctx, key, big, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, key).Bytes()
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("read back %d bytes (%v), want the %d written", len(got), err, len(big))
	}
}

// checkBuffers fails unless c's connections have buffers of at most 16 KB, and some.
func checkBuffers(t *testing.T, name string, c goredis.UniversalClient) {
	t.Helper()
	var read, write int
	switch c := c.(type) {
	case *goredis.Client:
		read, write = c.Options().ReadBufferSize, c.Options().WriteBufferSize
	case *goredis.ClusterClient:
		read, write = c.Options().ReadBufferSize, c.Options().WriteBufferSize
	}
	if read == 0 || read > 16<<10 || write == 0 || write > 16<<10 {
		t.Fatalf("%s: buffers of %d and %d bytes per connection", name, read, write)
	}
}
