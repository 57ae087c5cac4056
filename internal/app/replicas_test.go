package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"bullpen/internal/config"
	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

// More than one of everything: three bin/server replicas and two bin/consumer processes on the
// same PostgreSQL schema, Redis prefix, Kafka topic (six partitions) and group. Screens on the
// floor and on a contest are spread over the three servers while deals stream in. One server is
// killed (SIGKILL) and its screens move to the others with since; then the consumer holding the
// merge lease is killed (SIGKILL) and the other takes its partitions and the merge. Every screen
// of a channel ends with the same stream, and the ledger, the API's standings and the Redis board
// equal the deals sent, each counted once.
func TestReplicasThreeServersTwoConsumersOneOfEachKilledMidStream(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.BatchSize = 50 // small batches: the consumer's kill finds some in flight
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("Replicas"))
	bin := binary(t, "consumer")
	consumers := []*exec.Cmd{startProcess(t, bin, environ(cfg)), startProcess(t, bin, environ(cfg))}
	servers, killServer := startFleet(t, cfg, 3)
	testenv.Eventually(t, 30*time.Second, "two consumers sharing the partitions", func() bool { return stableMembers(cfg) == 2 })

	var floor, board []*viewer
	for s := range 3 {
		for range 3 {
			floor = append(floor, watch(t, servers, s, "floor", cfg.AdminToken))
		}
		for range 2 {
			board = append(board, watch(t, servers, s, "contest:"+c.ID, cfg.AdminToken))
		}
	}

	f := newWinFlow("rp-", 12) // twelve keys over six partitions: both consumers get work
	stop := onceStop(t, stream(cfg, f, 4, 100*time.Millisecond))
	streamed := time.Now()

	// A server dies mid-stream; its screens move to the other two.
	testenv.Eventually(t, 30*time.Second, "40 floor messages on every screen", func() bool { return leastSeen(floor) >= 40 })
	killedAt := leastSeen(floor)
	killServer[0]()
	testenv.Eventually(t, 30*time.Second, "the killed server's screens on the others", func() bool {
		return moved(floor, board) == 5
	})
	testenv.Eventually(t, 30*time.Second, "40 more floor messages on every screen", func() bool { return leastSeen(floor) >= killedAt+40 })

	// The consumer holding the merge lease dies mid-stream; the other takes over.
	victim := leaseHolder(t, store, cfg, consumers)
	appliedAtKill := eventCount(t, db)
	if err := consumers[victim].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = consumers[victim].Wait()
	consumerKilled := time.Now()
	testenv.Eventually(t, 60*time.Second, "the other consumer alone in the group", func() bool { return stableMembers(cfg) == 1 })
	tookOver := time.Since(consumerKilled)
	sentAtTakeover, _ := f.sent()
	testenv.Eventually(t, 30*time.Second, "the consumer left applying 40 events sent after it took over", func() bool {
		return eventCount(t, db) >= len(sentAtTakeover)+40
	})
	sent, err := stop()
	if err != nil {
		t.Fatalf("producing: %v", err)
	}
	lastSent := time.Now()

	// Totals: the ledger, the Redis board and the API of both servers left.
	ids, want := f.sent()
	all := testenv.Poll(60*time.Second, func() bool {
		return eventCount(t, db) == len(ids) && sameScores(want, scores(t, store, c.ID)) == nil
	})
	settled := time.Since(lastSent)
	fig := countFigures(t, db, store, c.ID, f)
	if !all || fig.lost != 0 || fig.doubled != 0 {
		t.Fatalf("after a server and a consumer were killed: %s", fig)
	}
	if err := sameScores(want, ledgerScores(t, db, c.ID)); err != nil {
		t.Fatalf("ledger: %v", err)
	}
	for _, s := range []int{1, 2} {
		testenv.Eventually(t, 20*time.Second, "the standings through server "+strconv.Itoa(s)+"'s API", func() bool {
			code, got := apiScores(t, servers.base(s), c.ID, cfg.AdminToken)
			return code == 200 && sameScores(want, got) == nil
		})
	}

	// Streams: every screen of a channel has the same one, to the channel's last message.
	var floorLast int64
	steady := floor[len(floor)-1] // on server 2, never moved: the floor as it was sent live
	testenv.Eventually(t, 30*time.Second, "a celebration of every win on the floor", func() bool {
		got, _, _ := steady.state()
		floorLast = lastSeq(t, store, "floor")
		return len(celebrated(got)) == len(ids) && len(got) > 0 && got[len(got)-1].Seq == floorLast
	})
	var boardLast int64
	testenv.Eventually(t, 30*time.Second, "the contest's last update to show the totals", func() bool {
		h := history(t, store, "contest:"+c.ID)
		if len(h) == 0 {
			return false
		}
		var st standings
		boardLast = h[len(h)-1].Seq
		return json.Unmarshal(h[len(h)-1].Data, &st) == nil && sameScores(want, st.scores()) == nil
	})
	reached := func(vs []*viewer, seq int64) func() bool {
		return func() bool { return slices.IndexFunc(vs, func(v *viewer) bool { return v.last().Seq < seq }) < 0 }
	}
	testenv.Poll(30*time.Second, reached(floor, floorLast))
	testenv.Poll(30*time.Second, reached(board, boardLast))
	for _, vs := range [][]*viewer{floor, board} {
		for _, v := range vs {
			v.stop()
		}
	}
	got, _, _ := steady.state()
	repeated, err := republished(got[:floorLast-steady.start.Seq])
	if err != nil {
		t.Error(err)
	}
	moves := allMoves(floor, board)
	var away, took time.Duration
	replayed := 0
	for _, m := range moves {
		if m.from != 0 {
			t.Errorf("a screen moved from server %d, which was not killed", m.from)
		}
		away, took, replayed = max(away, m.away), max(took, m.took), replayed+m.replayed
	}
	t.Logf("figures: %s (%.0f events/s); screens: %d on the floor, %d on the contest, %d moved from the killed server: the slowest back %v after its socket dropped (of which %v from dialling another server to subscribed), %d messages missed while away replayed from the history; floor seq 1..%d, contest seq 1..%d, %d celebrations repeated; a consumer killed with %d events applied, the other alone in the group %v later; all applied %v after the last was sent",
		fig, float64(sent)/lastSent.Sub(streamed).Seconds(), len(floor), len(board), len(moves), away.Round(10*time.Millisecond), took.Round(time.Millisecond), replayed,
		floorLast, boardLast, repeated, appliedAtKill, tookOver.Round(10*time.Millisecond), settled.Round(10*time.Millisecond))
	if err := sameStream(floor, floorLast); err != nil {
		t.Error(err)
	}
	if err := sameStream(board, boardLast); err != nil {
		t.Error(err)
	}
}

// onceStop makes a stream's stop safe to call twice, and calls it when the test ends.
func onceStop(t *testing.T, stop func() (int, error)) func() (int, error) {
	var once sync.Once
	var n int
	var err error
	s := func() (int, error) {
		once.Do(func() { n, err = stop() })
		return n, err
	}
	t.Cleanup(func() { _, _ = s() })
	return s
}

// leastSeen is the smallest last seq among viewers.
func leastSeen(vs []*viewer) int64 {
	least := int64(-1)
	for _, v := range vs {
		if s := v.last().Seq; least < 0 || s < least {
			least = s
		}
	}
	return least
}

func allMoves(groups ...[]*viewer) []move {
	var out []move
	for _, vs := range groups {
		for _, v := range vs {
			_, m, _ := v.state()
			out = append(out, m...)
		}
	}
	return out
}

// moved counts the viewers that moved to another server.
func moved(groups ...[]*viewer) int {
	n := 0
	for _, vs := range groups {
		for _, v := range vs {
			if _, m, _ := v.state(); len(m) > 0 {
				n++
			}
		}
	}
	return n
}

// republished counts the celebrations of the floor that repeat an earlier one. The outbox is
// published at least once: a consumer killed between publishing a page and deleting it from the
// outbox leaves the page to be published again by the next drain (docs/reliability.md). So a
// kill may repeat one page's messages, in one run, in the order of their first copies; any
// other repeat is an error.
func republished(floor []message) (int, error) {
	first := map[string]int{} // deal -> index of its first celebration
	var again, of []int       // indexes of the repeats, and of their first copies
	for i, m := range floor {
		d, ok := dealOf(m)
		if !ok {
			continue
		}
		if k, seen := first[d]; seen {
			again, of = append(again, i), append(of, k)
		} else {
			first[d] = i
		}
	}
	for k := 1; k < len(again); k++ {
		if again[k] != again[k-1]+1 || of[k] != of[k-1]+1 {
			return len(again), fmt.Errorf("celebrations repeated at floor messages %v (first at %v): not one page published again", again, of)
		}
	}
	return len(again), nil
}

// celebrated counts the celebrations of each deal among messages.
func celebrated(ms []message) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		if d, ok := dealOf(m); ok {
			out[d]++
		}
	}
	return out
}

// dealOf is the deal a celebration celebrates.
func dealOf(m message) (string, bool) {
	if m.Type != "celebration" {
		return "", false
	}
	var d struct {
		DealID string `json:"deal_id"`
	}
	_ = json.Unmarshal(m.Data, &d)
	return d.DealID, true
}

func lastSeq(t *testing.T, s *redis.Store, channel string) int64 {
	t.Helper()
	st, err := s.Channel(context.Background(), channel)
	if err != nil {
		t.Fatal(err)
	}
	return st.Seq
}

// leaseHolder is which of the consumer processes holds the merge lease (its value names the
// holder's pid: internal/app processID), else the first.
func leaseHolder(t *testing.T, s *redis.Store, cfg config.Config, procs []*exec.Cmd) int {
	t.Helper()
	holder, err := s.Client().Get(context.Background(), cfg.RedisPrefix+":merge:lease").Result()
	if parts := strings.Split(holder, "/"); err == nil && len(parts) == 3 {
		for i, p := range procs {
			if parts[1] == strconv.Itoa(p.Process.Pid) {
				return i
			}
		}
	}
	t.Logf("the merge lease's holder not found (%q, %v): killing the first consumer", holder, err)
	return 0
}

// The test's tolerance of repeated celebrations is one page published again, nothing more.
func TestRepublishedTellsOnePagePublishedAgainFromOtherRepeats(t *testing.T) {
	c := func(deals ...string) []message {
		out := make([]message, len(deals))
		for i, d := range deals {
			out[i] = message{Type: "celebration", Data: json.RawMessage(`{"deal_id":"` + d + `"}`)}
		}
		return out
	}
	for i, tc := range []struct {
		floor   []message
		n       int
		refused bool
	}{
		{c("a", "b", "c", "d"), 0, false},
		{c("a", "b", "c", "b", "c", "d"), 2, false},
		{c("a", "b", "c", "c", "b", "d"), 2, true}, // out of order
		{c("a", "b", "c", "b", "d", "c"), 2, true}, // not in one run
		{c("a", "b", "a", "c", "b"), 2, true},      // two pages
	} {
		n, err := republished(tc.floor)
		if n != tc.n || (err != nil) != tc.refused {
			t.Errorf("case %d: %d repeats (%v), want %d (refused: %v)", i, n, err, tc.n, tc.refused)
		}
	}
}
