package app_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/ingest"
	"bullpen/internal/pipeline"
	"bullpen/internal/testenv"
)

// takes tells each time its merger took the changed contests from the shared set.
type takes struct {
	pipeline.SharedMerge
	took chan []string
}

func (s takes) TakeChanged(ctx context.Context) ([]string, error) {
	ids, err := s.SharedMerge.TakeChanged(ctx)
	if len(ids) > 0 {
		s.took <- ids
	}
	return ids, err
}

// The merger holding the lease takes a contest's change from the shared set and dies before
// its update is due (a consumer killed within 250 ms of a busy contest's last update). The
// merger that takes the lease over sends the contest's standings all the same: nothing else
// would, until the contest's next deal, and its screens would show the old board meanwhile.
func TestAMergerTakingOverSendsWhatItsPredecessorTookAndNeverSent(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("Take-over"))
	ctx := context.Background()
	merger := func(holder string, shared pipeline.SharedMerge, interval time.Duration) *pipeline.Merger {
		return &pipeline.Merger{Boards: store, Contests: db, Channels: store, Shared: shared, Holder: holder,
			Interval: interval, Top: 50, Log: testenv.Logger(t)}
	}
	run := func(m *pipeline.Merger) context.CancelFunc {
		mctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = m.Run(mctx) }()
		stop := func() { cancel(); <-done }
		t.Cleanup(stop)
		return stop
	}
	row := func(rep string, score bullpen.Fixed, version int64) []ingest.Row {
		rows := []ingest.Row{{BoardKey: ingest.BoardKey{ContestID: c.ID, PeriodKey: contest.PeriodKeyNone, Entrant: rep},
			Score: score, ReachedAt: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), Version: version}}
		if err := store.SetRows(ctx, rows); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	lastUpdate := func() map[string]int64 {
		h := history(t, store, "contest:"+c.ID)
		if len(h) == 0 {
			return nil
		}
		var st standings
		_ = json.Unmarshal(h[len(h)-1].Data, &st)
		return st.scores()
	}

	// The first merger leads; a long interval holds its second update back once it took it (and
	// as it gathers only when its own batches wake it, its lease runs out 2 s after).
	tk := takes{store, make(chan []string, 8)}
	first := merger("first", tk, time.Hour)
	stopFirst := run(first)
	first.Touched(row("ana", 1000, 1))
	testenv.Eventually(t, 10*time.Second, "the first update", func() bool { return lastUpdate()["ana"] == 1000 })
	<-tk.took // the take that update came from
	run(merger("second", store, 250*time.Millisecond))

	first.Touched(row("ana", 2500, 2))
	select {
	case ids := <-tk.took:
		if !slices.Contains(ids, c.ID) {
			t.Fatalf("the first merger took %v", ids)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first merger did not take the change")
	}
	stopFirst() // dies with the change taken and not sent

	// The second takes the lease once the first's runs out (2 s).
	if !testenv.Poll(15*time.Second, func() bool { return lastUpdate()["ana"] == 2500 }) {
		t.Fatalf("after the take-over the contest's last update still says %v: the change the first merger took was never sent", lastUpdate())
	}
}
