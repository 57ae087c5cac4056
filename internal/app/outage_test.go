package app_test

import (
	"strings"
	"testing"
	"time"

	"bullpen/internal/testenv"
)

func TestPostgresDown10sLosesNothingAndCountsNothingTwice(t *testing.T) {
	t.Parallel()
	postgresOutage(t, 10*time.Second)
}

func TestPostgresDown60sLosesNothingAndCountsNothingTwice(t *testing.T) {
	t.Parallel()
	postgresOutage(t, 60*time.Second)
}

// postgresOutage takes the ledger's PostgreSQL (a private one) down for outage, as a crash
// would, while events keep coming: the consumer holds the batch it has and retries, both
// processes' readiness names PostgreSQL, and once it is back every event counts once.
func postgresOutage(t *testing.T, outage time.Duration) {
	pg := testenv.StartPostgres(t)
	cfg := testenv.Config(t, testenv.WithDatabase(pg.URL))
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("PostgreSQL down"))
	addr := startConsumer(t, cfg)
	base := startServer(t, cfg)
	f := newWinFlow("pg-", 5)
	produce(t, cfg, f.next(50)...)
	testenv.Eventually(t, 30*time.Second, "the first 50 events", func() bool { return appliedEvents(t, addr) == 50 })

	pg.Stop()
	downAt := time.Now()
	for name, url := range map[string]string{"consumer": "http://" + addr + "/readyz", "server": base + "/readyz"} {
		testenv.Eventually(t, 15*time.Second, "the "+name+"'s readiness to name postgresql", func() bool {
			code, body := call(t, "GET", url, "", nil)
			return code == 503 && strings.Contains(string(body), "postgresql")
		})
	}
	stop := stream(cfg, f, 10, 200*time.Millisecond)
	time.Sleep(time.Until(downAt.Add(outage)))
	if _, err := stop(); err != nil {
		t.Fatalf("producing during the outage: %v", err)
	}
	if n := appliedEvents(t, addr); n != 50 {
		t.Fatalf("%d events applied while PostgreSQL was down, want the 50 from before", n)
	}
	// The consumer waited in its group: no rebalance pulled its partitions away meanwhile.
	if n := stableMembers(cfg); n != 1 {
		t.Errorf("the group at the outage's end: %d stable members with partitions, want 1", n)
	}

	pg.Start()
	back := time.Now()
	ids, want := f.sent()
	first := settle(90*time.Second, func() bool { return appliedEvents(t, addr) > 50 })
	firstIn := time.Since(back)
	all := settle(90*time.Second, func() bool {
		return eventCount(t, db) == len(ids) && sameScores(want, scores(t, store, c.ID)) == nil
	})
	allIn := time.Since(back)
	fig := countFigures(t, db, store, c.ID, f)
	t.Logf("figures: %s; PostgreSQL down %v; first event applied %v after it returned, all in %v",
		fig, back.Sub(downAt).Round(100*time.Millisecond), firstIn.Round(10*time.Millisecond), allIn.Round(10*time.Millisecond))
	if !first || !all || fig.lost != 0 || fig.doubled != 0 {
		t.Fatalf("after PostgreSQL came back: %s (first applied: %v, all: %v)", fig, first, all)
	}
	if err := sameScores(want, ledgerScores(t, db, c.ID)); err != nil {
		t.Fatalf("ledger: %v", err)
	}
	for name, url := range map[string]string{"consumer": "http://" + addr + "/readyz", "server": base + "/readyz"} {
		testenv.Eventually(t, 15*time.Second, "the "+name+" to be ready again", func() bool {
			code, _ := call(t, "GET", url, "", nil)
			return code == 200
		})
	}
}
