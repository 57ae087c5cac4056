package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/contest"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binary builds a command of this module once per test run and returns its path.
func binary(t *testing.T, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "bullpen-bin-")
		if buildErr != nil {
			return
		}
		for _, cmd := range []string{"consumer", "server"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, cmd), "bullpen/cmd/"+cmd).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", cmd, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}

// environ turns a test configuration into the variables of docs/api.md §1.
func environ(cfg config.Config) []string {
	env := []string{
		"BULLPEN_DATABASE_URL=" + cfg.DatabaseURL,
		"BULLPEN_REDIS_URL=" + cfg.RedisURL,
		"BULLPEN_REDIS_PREFIX=" + cfg.RedisPrefix,
		"BULLPEN_KAFKA_BROKERS=" + strings.Join(cfg.KafkaBrokers, ","),
		"BULLPEN_KAFKA_TOPIC=" + cfg.KafkaTopic,
		"BULLPEN_KAFKA_DLQ_TOPIC=" + cfg.KafkaDLQTopic,
		"BULLPEN_KAFKA_GROUP=" + cfg.KafkaGroup,
		"BULLPEN_KAFKA_SESSION_TIMEOUT=" + cfg.KafkaSessionTimeout.String(),
		"BULLPEN_GRACE=" + cfg.Grace.String(),
		"BULLPEN_ADMIN_TOKEN=" + cfg.AdminToken,
		"BULLPEN_HTTP_ADDR=127.0.0.1:0",
		"BULLPEN_BATCH_SIZE=" + fmt.Sprint(cfg.BatchSize),
		"BULLPEN_LOG_LEVEL=warn",
		"PATH=" + os.Getenv("PATH"),
	}
	return env
}

func startProcess(t *testing.T, path string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
		}
	})
	return cmd
}

// flow is a deal flow whose outcome the test knows without asking the code under test.
type flow struct {
	msgs    []kafkago.Message
	unique  int
	revenue map[string]int64 // rep -> hundredths, deals won and not reversed, at their last amount
	deals   map[string]int64 // team -> deals won and not reversed
	points  map[string]int64 // rep -> points in hundredths (calls 1, won deal 10)
}

// newFlow makes n distinct events for 200 reps in 10 teams: wins, updates, reversals and calls, a few of
// them sent twice. Every rep's events share a key, so they stay in order.
func newFlow(n int) *flow {
	f := &flow{revenue: map[string]int64{}, deals: map[string]int64{}, points: map[string]int64{}}
	rng := rand.New(rand.NewPCG(7, 11))
	type deal struct {
		id, rep string
		amount  int64
	}
	var open []deal
	for i := 0; f.unique < n; i++ {
		rep := fmt.Sprintf("rep-%03d", rng.IntN(200))
		team := "team-" + rep[len(rep)-1:] // a rep's team never changes
		id := fmt.Sprintf("ev-%d", i)
		at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		var e ev
		switch r := rng.IntN(100); {
		case r < 30:
			amount := int64(rng.IntN(500000)+100) * 10 // whole dimes, up to $50k
			d := deal{id: "D-" + id, rep: rep, amount: amount}
			open = append(open, d)
			e = ev{"type": "deal.won", "deal_id": d.id, "amount": fmt.Sprintf("%d.%02d", amount/100, amount%100)}
			f.revenue[rep] += amount
			f.deals[team]++
			f.points[rep] += 1000
		case r < 36 && len(open) > 0:
			k := rng.IntN(len(open))
			d := &open[k]
			rep, team = d.rep, "team-"+d.rep[len(d.rep)-1:]
			amount := int64(rng.IntN(500000)+100) * 10
			f.revenue[rep] += amount - d.amount
			d.amount = amount
			e = ev{"type": "deal.updated", "deal_id": d.id, "amount": fmt.Sprintf("%d.%02d", amount/100, amount%100)}
		case r < 40 && len(open) > 0:
			k := rng.IntN(len(open))
			d := open[k]
			open = slices.Delete(open, k, k+1)
			rep, team = d.rep, "team-"+d.rep[len(d.rep)-1:]
			f.revenue[rep] -= d.amount
			f.deals[team]--
			f.points[rep] -= 1000
			e = ev{"type": "deal.reversed", "deal_id": d.id}
		default:
			e = ev{"type": "activity", "activity": "call"}
			f.points[rep] += 100
		}
		e["event_id"], e["occurred_at"], e["team_id"], e["rep_name"] = id, at, team, "Rep "+rep
		m := msg(rep, e)
		f.msgs = append(f.msgs, m)
		f.unique++
		if rng.IntN(50) == 0 {
			f.msgs = append(f.msgs, m) // a redelivery
		}
	}
	return f
}

// checkBoards holds the three contests of threeContests to the flow's model, in the ledger and
// (soon after) in Redis.
func (f *flow) checkBoards(t *testing.T, db *postgres.DB, store *redis.Store, rev, team, pts *contest.Contest) {
	t.Helper()
	for name, c := range map[string]struct {
		id   string
		want map[string]int64
	}{"revenue": {rev.ID, f.revenue}, "team deals": {team.ID, scaled(f.deals)}, "points": {pts.ID, f.points}} {
		if err := sameScores(c.want, ledgerScores(t, db, c.id)); err != nil {
			t.Errorf("%s, PostgreSQL: %v", name, err)
		}
		testenv.Eventually(t, 20*time.Second, name+" in Redis", func() bool { return sameScores(c.want, scores(t, store, c.id)) == nil })
	}
}

func threeContests(t *testing.T, db *postgres.DB) (rev, team, pts *contest.Contest) {
	t.Helper()
	rev = mustContest(t, db, revenueContest("Revenue"))
	tc := revenueContest("Team deals")
	tc.Metric, tc.Scope = contest.MetricDeals, contest.ScopeTeam
	team = mustContest(t, db, tc)
	pc := revenueContest("Points")
	pc.Metric = contest.MetricPoints
	pc.Weights = map[string]bullpen.Fixed{"deal.won": 1000, "call": 100}
	pts = mustContest(t, db, pc)
	return rev, team, pts
}

func scores(t *testing.T, s *redis.Store, contestID string) map[string]int64 {
	t.Helper()
	rows, _, err := s.Range(context.Background(), contestID, contest.PeriodKeyNone, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Entrant] = int64(r.Score)
	}
	return out
}

func ledgerScores(t *testing.T, db *postgres.DB, contestID string) map[string]int64 {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT entrant, score FROM standings WHERE contest_id = $1`, contestID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var e string
		var v int64
		if err := rows.Scan(&e, &v); err != nil {
			t.Fatal(err)
		}
		out[e] = v
	}
	return out
}

// sameScores compares ignoring entrants at zero on one side only (a row whose deals were all
// reversed stays on the board at 0).
func sameScores(want, got map[string]int64) error {
	for k, v := range want {
		if got[k] != v {
			return fmt.Errorf("%s: got %d, want %d", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != 0 {
			return fmt.Errorf("%s: got %d, want nothing", k, v)
		}
	}
	return nil
}

func TestKillNineMidwayCountsEveryEventExactlyOnce(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.BatchSize = 250 // many batches, so the kill lands between and inside them
	db, store := openDB(t, cfg), openStore(t, cfg)
	rev, team, pts := threeContests(t, db)
	f := newFlow(20000)
	produce(t, cfg, f.msgs...)

	bin := binary(t, "consumer")
	first := startProcess(t, bin, environ(cfg))
	testenv.Eventually(t, 60*time.Second, "a third of the events", func() bool { return eventCount(t, db) >= f.unique/3 })
	if err := first.Process.Kill(); err != nil { // SIGKILL: no chance to finish or commit
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAt := eventCount(t, db)
	if killedAt >= f.unique {
		t.Fatalf("the consumer finished (%d events) before it was killed: the test proves nothing", killedAt)
	}
	restarted := time.Now()
	startProcess(t, bin, environ(cfg))
	testenv.Eventually(t, 60*time.Second, "the restarted consumer's first event", func() bool { return eventCount(t, db) > killedAt })
	firstIn := time.Since(restarted)
	testenv.Eventually(t, 120*time.Second, "every event", func() bool { return eventCount(t, db) == f.unique })
	allIn := time.Since(restarted)

	f.checkBoards(t, db, store, rev, team, pts)
	t.Logf("killed at %d of %d events", killedAt, f.unique)
	if !t.Failed() {
		t.Logf("figures: sent=%d (+%d redeliveries) applied=%d lost=0 doubled=0 (every board equals the model); killed at %d applied; first event applied %v after the restart, all %v",
			f.unique, len(f.msgs)-f.unique, eventCount(t, db), killedAt, firstIn.Round(10*time.Millisecond), allIn.Round(10*time.Millisecond))
	}
}

func scaled(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v * 100
	}
	return out
}

func TestRebuildAfterRedisIsLostGivesTheSameStandings(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("Rebuild"))
	// Equal scores reached at equal and at different times, so the tie-break is exercised.
	produce(t, cfg,
		msg("ann", ev{"event_id": "1", "type": "deal.won", "deal_id": "A", "amount": 300, "occurred_at": "2026-06-01T10:00:00Z"}),
		msg("bob", ev{"event_id": "2", "type": "deal.won", "deal_id": "B", "amount": 300, "occurred_at": "2026-06-01T09:00:00Z"}),
		msg("cat", ev{"event_id": "3", "type": "deal.won", "deal_id": "C", "amount": 300, "occurred_at": "2026-06-01T10:00:00Z"}),
		msg("dan", ev{"event_id": "4", "type": "deal.won", "deal_id": "D", "amount": 900, "occurred_at": "2026-06-01T12:00:00Z"}),
		msg("dan", ev{"event_id": "5", "type": "deal.updated", "deal_id": "D", "amount": 300, "occurred_at": "2026-06-01T08:00:00Z"}),
	)
	bin := binary(t, "consumer")
	proc := startProcess(t, bin, environ(cfg))
	want := []string{"bob=300", "ann=300", "cat=300", "dan=300"}
	testenv.Eventually(t, 30*time.Second, "the board", func() bool { return slices.Equal(board(t, store, c.ID), want) })
	// SIGTERM: a graceful stop, exit status 0.
	_ = proc.Process.Signal(syscall.SIGTERM)
	if err := proc.Wait(); err != nil {
		t.Fatalf("consumer after SIGTERM: %v", err)
	}

	if err := store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := board(t, store, c.ID); len(got) != 0 {
		t.Fatalf("flush left %v", got)
	}
	cmd := exec.Command(bin, "rebuild")
	cmd.Env = environ(cfg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	if got := board(t, store, c.ID); !slices.Equal(got, want) {
		t.Fatalf("after rebuild %v, want %v", got, want)
	}

	// A consumer that starts on an empty Redis rebuilds by itself.
	if err := store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	startProcess(t, bin, environ(cfg))
	testenv.Eventually(t, 30*time.Second, "the rebuilt board", func() bool { return slices.Equal(board(t, store, c.ID), want) })
}
