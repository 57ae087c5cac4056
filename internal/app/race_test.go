package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/testenv"
)

func TestRaceFinishersFollowWhenTheyFinishedNotWhenEventsArrived(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.Grace = time.Hour // the deals are reported late: the race's board must still take them
	db := openDB(t, cfg)
	target := bullpen.Fixed(100000)
	now := time.Now().UTC().Truncate(time.Second)
	race := mustContest(t, db, contest.Contest{Name: "First to $1,000", Kind: contest.KindRace, Metric: contest.MetricRevenue,
		StartsAt: now.Add(-2 * time.Hour), Target: &target, MaxWinners: 2})
	startConsumer(t, cfg)
	base := startServer(t, cfg)
	at := func(minutesAgo int) string {
		return now.Add(-time.Duration(minutesAgo) * time.Minute).Format(time.RFC3339)
	}

	// bo reaches $1,000 first in arrival order, 20 minutes ago...
	produce(t, cfg,
		msg("bo", ev{"event_id": "b1", "type": "deal.won", "deal_id": "B1", "amount": 600, "occurred_at": at(30)}),
		msg("bo", ev{"event_id": "b2", "type": "deal.won", "deal_id": "B2", "amount": 500, "occurred_at": at(20)}))
	testenv.Eventually(t, 20*time.Second, "bo's deals", func() bool { return eventCount(t, db) == 2 })
	// ...but ana's deals, reported after his, closed earlier: she finished 40 minutes ago.
	produce(t, cfg,
		msg("ana", ev{"event_id": "a1", "type": "deal.won", "deal_id": "A1", "amount": 400, "occurred_at": at(50)}),
		msg("ana", ev{"event_id": "a2", "type": "deal.won", "deal_id": "A2", "amount": 700, "occurred_at": at(40)}))
	testenv.Eventually(t, 20*time.Second, "ana's deals", func() bool { return eventCount(t, db) == 4 })
	// Two winners have finished: the race is over, and a deal closed after that does not count.
	produce(t, cfg, msg("cy", ev{"event_id": "c1", "type": "deal.won", "deal_id": "C1", "amount": 5000, "occurred_at": at(10)}))
	testenv.Eventually(t, 20*time.Second, "cy's deal", func() bool { return eventCount(t, db) == 5 })

	var st struct {
		Entries []struct {
			RepID      string     `json:"rep_id"`
			Score      float64    `json:"score"`
			FinishedAt *time.Time `json:"finished_at"`
		} `json:"entries"`
	}
	testenv.Eventually(t, 10*time.Second, "the race board", func() bool {
		code, body := call(t, "GET", base+"/api/v1/contests/"+race.ID+"/leaderboard", cfg.AdminToken, nil)
		st.Entries = nil
		return code == 200 && json.Unmarshal(body, &st) == nil && len(st.Entries) == 2 && st.Entries[1].FinishedAt != nil
	})
	want := []struct {
		rep      string
		score    float64
		finished string
	}{{"ana", 1100, at(40)}, {"bo", 1100, at(20)}}
	for i, w := range want {
		e := st.Entries[i]
		if e.RepID != w.rep || e.Score != w.score || e.FinishedAt == nil || e.FinishedAt.Format(time.RFC3339) != w.finished {
			t.Errorf("place %d: %+v, want %+v", i+1, e, w)
		}
	}
	var ended time.Time
	if err := db.Pool.QueryRow(context.Background(), `SELECT race_ended_at FROM contests WHERE id = $1`, race.ID).Scan(&ended); err != nil {
		t.Fatalf("the race did not end: %v", err)
	}
	if ended.Format(time.RFC3339) != at(20) {
		t.Errorf("race ended at %v, want just after bo finished at %s", ended, at(20))
	}
}
