package app_test

import (
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/config"
	"bullpen/internal/redis"
	"bullpen/internal/service"
	"bullpen/internal/target"
	"bullpen/internal/testenv"
)

// The ledger is the truth, and a backup of it is enough: a pg_dump restored into an empty
// database, then `consumer rebuild` on an empty Redis, gives the standings, balances,
// attainment and directory that the original projection held.
func TestLedgerRestoredFromPgDumpRebuildsTheSameProjection(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.Grace = 3 * 365 * 24 * time.Hour // the flow's June is past: let its target sets still take events
	db, store := openDB(t, cfg), openStore(t, cfg)
	db.Grace = cfg.Grace
	rev, team, pts := threeContests(t, db)
	// Rewards, so that balances are not all zero: an incentive open over the flow's June.
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO incentives (title, event_type, min_amount, reward_points, max_winners,
		starts_at, ends_at, created_by) VALUES ('Big deals', 'deal.won', 2000000, 200, 5, '2026-06-01', now() + interval '1 hour', 'test')`); err != nil {
		t.Fatal(err)
	}
	f := newFlow(3000)
	addr := startConsumer(t, cfg)
	// Targets name reps the directory knows: half the flow first, the targets (counted from the
	// ledger), then the other half (counted by the consumer).
	half := len(f.msgs) / 2
	produce(t, cfg, f.msgs[:half]...)
	testenv.Eventually(t, 90*time.Second, "the first half", func() bool { return eventCount(t, db) >= half*9/10 })
	targets := service.NewTargets(service.TargetDeps{Store: db, Projection: store, Timezone: "UTC", Logger: testenv.Logger(t)})
	var rows []target.Target
	for _, rep := range []string{"rep-001", "rep-011", "rep-021", "rep-031"} {
		rows = append(rows, target.Target{Period: "2026-06", Metric: "revenue", TeamID: "team-1", RepID: rep, Target: 5000000})
	}
	rows = append(rows, target.Target{Period: "2026-06", Metric: "points", TeamID: "team-2", RepID: "rep-002", Target: 10000,
		Weights: map[string]bullpen.Fixed{"deal.won": 1000, "call": 100}})
	if _, err := targets.Put(context.Background(), &target.Request{Rows: rows}, "test"); err != nil {
		t.Fatal(err)
	}
	sets, err := db.TargetSets(context.Background(), target.Filter{Period: "2026-06"})
	if err != nil || len(sets) != 2 {
		t.Fatalf("%d target sets (%v), want 2", len(sets), err)
	}
	var setIDs []int64
	for _, s := range sets {
		setIDs = append(setIDs, s.Set.ID)
	}

	produce(t, cfg, f.msgs[half:]...)
	testenv.Eventually(t, 90*time.Second, "every event applied and projected", func() bool { return appliedEvents(t, addr) == f.unique })
	contests := map[string]string{"revenue": rev.ID, "team deals": team.ID, "points": pts.ID}
	before := projection(t, store, contests, setIDs)
	if len(before.balances) == 0 || len(before.attainment[setIDs[0]])+len(before.attainment[setIDs[1]]) == 0 {
		t.Fatalf("nothing to compare: balances %v, attainment %v", before.balances, before.attainment)
	}

	restored := cfg
	restored.DatabaseURL = restoreInto(t, cfg.DatabaseURL)
	restored.RedisPrefix = testenv.Name("t") // an empty Redis
	restoredStore := openStore(t, restored)
	bin := binary(t, "consumer")
	start := time.Now()
	cmd := exec.Command(bin, "rebuild")
	cmd.Env = environ(restored)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	rebuildIn := time.Since(start)
	after := projection(t, restoredStore, contests, setIDs)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the rebuilt projection differs:\nbefore %+v\nafter  %+v", before, after)
	}

	restoredDB := openDB(t, restored)
	applied := eventCount(t, restoredDB)
	off := 0 // boards that differ from the model: an event lost or counted twice
	for name, c := range map[string]struct {
		id   string
		want map[string]int64
	}{"revenue": {rev.ID, f.revenue}, "team deals": {team.ID, scaled(f.deals)}, "points": {pts.ID, f.points}} {
		if err := sameScores(c.want, scores(t, restoredStore, c.id)); err != nil {
			off++
			t.Errorf("%s, rebuilt board against the model: %v", name, err)
		}
	}
	t.Logf("figures: sent=%d (+%d redeliveries) applied=%d lost=%d, boards off the model %d; %d boards, %d balances, %d attainment rows equal after restore; rebuild took %v",
		f.unique, len(f.msgs)-f.unique, applied, f.unique-applied, off, len(contests), len(before.balances),
		len(before.attainment[setIDs[0]])+len(before.attainment[setIDs[1]]), rebuildIn.Round(10*time.Millisecond))
	if applied != f.unique {
		t.Fatalf("%d events in the restored ledger, want %d", applied, f.unique)
	}
}

// projectionState is what a rebuild must give back: every board in rank order, every rep's
// directory entry and balance, every attainment row.
type projectionState struct {
	boards     map[string][]string
	reps       map[string]bullpen.Rep
	balances   map[string]int64
	attainment map[int64]map[string]bullpen.Fixed
}

func projection(t *testing.T, s *redis.Store, contests map[string]string, setIDs []int64) projectionState {
	t.Helper()
	ctx := context.Background()
	st := projectionState{boards: map[string][]string{}, balances: map[string]int64{}}
	for name, id := range contests {
		st.boards[name] = board(t, s, id)
	}
	var ids []string
	for i := range 200 {
		ids = append(ids, fmt.Sprintf("rep-%03d", i))
	}
	var err error
	if st.reps, err = s.Reps(ctx, ids); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		v, ok, err := s.Balance(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok && v != 0 {
			st.balances[id] = v
		}
	}
	if st.attainment, err = s.Attainment(ctx, setIDs); err != nil {
		t.Fatal(err)
	}
	return st
}

// restoreInto dumps the test's schema with pg_dump, restores it with pg_restore into a new,
// empty database (dropped at the test's end) and returns the URL of the restored schema.
func restoreInto(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	bin := testenv.PGBin(t)
	conn := func(db string) []string {
		return []string{"-h", u.Hostname(), "-p", u.Port(), "-U", u.User.Username(), "-d", db}
	}
	dump := filepath.Join(t.TempDir(), "ledger.dump")
	if out, err := exec.Command(filepath.Join(bin, "pg_dump"), append(conn(strings.TrimPrefix(u.Path, "/")),
		"--format=custom", "--schema="+schema, "--file="+dump)...).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	name := testenv.Name("restore_")
	admin := openDB(t, config.Config{DatabaseURL: dbURL})
	if _, err := admin.Pool.Exec(context.Background(), `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Pool.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	if out, err := exec.Command(filepath.Join(bin, "pg_restore"), append(conn(name), "--exit-on-error", dump)...).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	u.Path = "/" + name
	return u.String()
}
