package redis_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/ingest"
	"bullpen/internal/redis"
	"bullpen/internal/standings"
	"bullpen/internal/target"
	"bullpen/internal/testenv"
)

// TestEveryCallKeepsItsKeysInOneSlot runs every store call that names more than one key in one
// script, command or transaction. On a Redis Cluster (make test-cluster) a call whose keys span
// slots fails with CROSSSLOT; on a single server the hook below fails it the same way, so a key
// that leaves its hash tag is caught by either run.
func TestEveryCallKeepsItsKeysInOneSlot(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	_, cluster := s.Client().(*goredis.ClusterClient)
	check := &slotCheck{publishPerMessage: !cluster}
	s.Client().AddHook(check)

	finished := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	rows := []ingest.Row{
		{BoardKey: ingest.BoardKey{ContestID: "c1", PeriodKey: "all", Entrant: "ana"}, Score: 500, ReachedAt: finished, Version: 1},
		{BoardKey: ingest.BoardKey{ContestID: "c2", PeriodKey: "2026-12", Entrant: "bo"}, Score: 700, ReachedAt: finished, Version: 1,
			FinishedAt: &finished},
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("set rows", s.SetRows(ctx, rows))
	_, _, err := s.Range(ctx, "c2", "2026-12", 0, 10)
	must("range", err)
	_, _, err = s.Position(ctx, "c1", "all", "ana")
	must("position", err)
	_, err = s.Places(ctx, []standings.PlaceQuery{{ContestID: "c1", PeriodKey: "all", Entrant: "ana"},
		{ContestID: "c2", PeriodKey: "2026-12", Entrant: "bo"}})
	must("places", err)
	_, err = s.ReadRep(ctx, standings.RepQuery{RepID: "ana", Balance: true, SetIDs: []int64{1, 2}, Places: []standings.PlaceQuery{
		{ContestID: "c1", PeriodKey: "all", Entrant: "ana"}, {ContestID: "c2", PeriodKey: "2026-12", Entrant: "bo"}}})
	must("read rep", err)
	must("delete contest", s.DeleteContest(ctx, "c2"))

	_, err = s.Publish(ctx, "floor", "celebration", []byte(`{}`))
	must("publish", err)
	must("publish queued", s.PublishQueued(ctx, []bullpen.Queued{{Channel: "rep:ana", Type: "rank", Data: []byte(`{}`)},
		{Channel: "contest:c1", Type: "update", Data: []byte(`{}`)}}))
	_, err = s.Channel(ctx, "floor")
	must("channel", err)
	_, err = s.ChannelTail(ctx, "rep:ana", 0, 5)
	must("channel tail", err)

	must("set balances", s.SetBalances(ctx, map[string]bullpen.Balance{"ana": {Points: 5, Version: 1}, "bo": {Points: 7, Version: 1}}))
	must("set attainment", s.SetAttainment(ctx, []target.Value{{SetID: 1, RepID: "ana", Value: 3, Version: 1},
		{SetID: 2, RepID: "bo", Value: 4, Version: 1}}))
	_, err = s.Attainment(ctx, []int64{1, 2})
	must("attainment", err)
	_, err = s.RepAttainment(ctx, []int64{1, 2}, "ana")
	must("rep attainment", err)
	must("mark changed", s.MarkChanged(ctx, []string{"c1", "t:1"}))
	_, err = s.TakeChanged(ctx)
	must("take changed", err)
	_, err = s.HoldMergeLease(ctx, "node-1", time.Second)
	must("merge lease", err)
	must("set presence", s.SetPresence(ctx, map[string][]byte{"n1:s1": []byte(`{}`), "n1:s2": []byte(`{}`)}))
	must("set reps", s.SetReps(ctx, []bullpen.Rep{{RepID: "ana", Name: "Ana"}, {RepID: "bo", Name: "Bo"}}))
	must("add reps", s.AddReps(ctx, []bullpen.Rep{{RepID: "cy", Name: "Cy"}, {RepID: "dee", Name: "Dee"}}))
	_, err = s.Reps(ctx, []string{"ana", "bo"})
	must("reps", err)
	_, _, err = s.RateLimiter().TakeAtMost(ctx, "tok-1", bullpen.Rate{Count: 50, Per: time.Second}, 5)
	must("rate limit", err)
	must("flush", s.Flush(ctx))

	if bad := check.crossing(); len(bad) > 0 {
		t.Fatalf("calls whose keys span hash slots:\n%s", strings.Join(bad, "\n"))
	}
	if check.seen.Load() < 10 {
		t.Fatalf("the hook saw %d multi-key calls: it is not watching", check.seen.Load())
	}
}

// TestFlushEmptiesEveryNode: Flush deletes the prefix's keys wherever they are, on every master
// of a cluster (SCAN answers for one node only), and nothing of another prefix.
func TestFlushEmptiesEveryNode(t *testing.T) {
	s, prefix := prefixedStore(t)
	other, otherPrefix := prefixedStore(t)
	ctx := context.Background()
	var rows []ingest.Row
	for i := range 60 {
		rows = append(rows, ingest.Row{BoardKey: ingest.BoardKey{ContestID: "c" + strconv.Itoa(i), PeriodKey: "all", Entrant: "ana"},
			Score: 100, ReachedAt: time.Now(), Version: 1})
	}
	if err := s.SetRows(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := other.SetRows(ctx, rows[:1]); err != nil {
		t.Fatal(err)
	}
	masters, holding := keysPerMaster(t, s.Client(), prefix)
	if holding != masters {
		t.Fatalf("the keys of 60 contests are on %d of %d masters", holding, masters)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, holding := keysPerMaster(t, s.Client(), prefix); holding != 0 {
		t.Fatalf("after Flush %d masters still hold keys of the prefix", holding)
	}
	if _, holding := keysPerMaster(t, other.Client(), otherPrefix); holding != 1 {
		t.Fatalf("Flush of one prefix took another's keys")
	}
}

// prefixedStore opens the shared Redis under a prefix of the test's own and says which.
func prefixedStore(t *testing.T) (*redis.Store, string) {
	t.Helper()
	prefix := testenv.Name("t")
	return testenv.OpenStore(t, config.Config{RedisURL: testenv.RedisURL(t), RedisPrefix: prefix}), prefix
}

// keysPerMaster counts the masters and how many of them hold keys of prefix.
func keysPerMaster(t *testing.T, c goredis.UniversalClient, prefix string) (int, int) {
	t.Helper()
	var masters, holding atomic.Int32
	err := redis.ForEachMaster(context.Background(), c, func(ctx context.Context, node *goredis.Client) error {
		masters.Add(1)
		for _, pattern := range []string{prefix + ":*", "{" + prefix + ":*"} {
			keys, _, err := node.Scan(ctx, 0, pattern, 100000).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				holding.Add(1)
				return nil
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return int(masters.Load()), int(holding.Load())
}

// slotCheck is a go-redis hook that records every script, command or transaction whose keys do
// not share one hash tag (Redis Cluster's rule: only the part in {…} is hashed when there is one).
// On a single server the publishing script takes messages of many channels in one call, each
// message's three keys under its channel's tag (publishPerMessage: checked three by three).
type slotCheck struct {
	mu                sync.Mutex
	bad               []string
	seen              atomic.Int32
	publishPerMessage bool
}

func (c *slotCheck) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (c *slotCheck) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		c.check([]goredis.Cmder{cmd}, false)
		return next(ctx, cmd)
	}
}

func (c *slotCheck) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		if len(cmds) > 0 && cmds[0].Name() == "multi" {
			c.check(cmds, true) // one transaction: every key of it in one slot
		} else {
			for _, cmd := range cmds {
				c.check([]goredis.Cmder{cmd}, false)
			}
		}
		return next(ctx, cmds)
	}
}

// check records cmds when their keys (of a transaction: every command's) span hash tags.
func (c *slotCheck) check(cmds []goredis.Cmder, tx bool) {
	var keys []string
	for _, cmd := range cmds {
		keys = append(keys, keysOf(cmd, tx)...)
	}
	if len(keys) < 2 {
		return
	}
	c.seen.Add(1)
	groups := [][]string{keys}
	if args := cmds[0].Args(); c.publishPerMessage && !tx && cmds[0].Name() == "evalsha" && args[1] == redis.PublishScriptHash {
		groups = nil
		for i := 0; i < len(keys); i += 3 {
			groups = append(groups, keys[i:min(i+3, len(keys))])
		}
	}
	for _, g := range groups {
		for _, k := range g[1:] {
			if hashTag(k) != hashTag(g[0]) {
				c.mu.Lock()
				c.bad = append(c.bad, fmt.Sprintf("%v: %q", cmds[0].Args()[0], keys))
				c.mu.Unlock()
				return
			}
		}
	}
}

func (c *slotCheck) crossing() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bad
}

// keysOf is the keys a command names: a script's KEYS, every argument of the multi-key
// commands the store sends, and in a transaction any other command's first argument.
func keysOf(cmd goredis.Cmder, tx bool) []string {
	args := cmd.Args()
	str := func(from, to int) []string {
		var out []string
		for _, a := range args[from:min(to, len(args))] {
			out = append(out, fmt.Sprint(a))
		}
		return out
	}
	switch cmd.Name() {
	case "eval", "evalsha", "eval_ro", "evalsha_ro":
		n, _ := strconv.Atoi(fmt.Sprint(args[2]))
		return str(3, 3+n)
	case "del", "unlink", "exists", "mget", "touch":
		return str(1, len(args))
	case "multi", "exec", "publish", "ping", "script", "hello", "client", "cluster":
		return nil
	}
	if tx && len(args) > 1 {
		return str(1, 2)
	}
	return nil
}

// hashTag is the part of a key Redis Cluster hashes.
func hashTag(key string) string {
	if open := strings.IndexByte(key, '{'); open >= 0 {
		if end := strings.IndexByte(key[open+1:], '}'); end > 0 {
			return key[open+1 : open+1+end]
		}
	}
	return key
}
