package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/contest"
	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

func boardAt(t *testing.T, s *redis.Store, contestID, key string) map[string]int64 {
	t.Helper()
	rows, _, err := s.Range(context.Background(), contestID, key, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Entrant] = int64(r.Score)
	}
	return out
}

func TestDayBoardsInNewYorkAcrossTheNovemberClockChange(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	start := time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)
	cfg.Grace = time.Since(start) + 7*24*time.Hour // the days are in the past: let their boards still take events
	db, store := openDB(t, cfg), openStore(t, cfg)
	end := time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC)
	c := mustContest(t, db, contest.Contest{Name: "Daily deals", Metric: contest.MetricDeals, StartsAt: start, EndsAt: &end,
		Timezone: "America/New_York", Period: contest.PeriodDay})
	startConsumer(t, cfg)

	// Clocks in New York fall back from 02:00 EDT to 01:00 EST on 2026-11-01.
	cases := []struct{ at, day string }{
		{"2026-11-01T03:30:00Z", "2026-10-31"}, // 23:30 EDT
		{"2026-11-01T04:30:00Z", "2026-11-01"}, // 00:30 EDT
		{"2026-11-01T05:30:00Z", "2026-11-01"}, // 01:30 EDT, the first one
		{"2026-11-01T06:30:00Z", "2026-11-01"}, // 01:30 EST, the second one
		{"2026-11-02T04:30:00Z", "2026-11-01"}, // 23:30 EST: the 25-hour day is not over yet
		{"2026-11-02T05:30:00Z", "2026-11-02"}, // 00:30 EST
		{"2026-11-01T01:15:00-04:00", "2026-11-01"},
	}
	want := map[string]int64{}
	var msgs []kafkago.Message
	for i, tc := range cases {
		want[tc.day] += 100
		msgs = append(msgs, msg("ana", ev{"event_id": fmt.Sprint("dst", i), "type": "deal.won", "deal_id": fmt.Sprint("N", i), "amount": 1, "occurred_at": tc.at}))
	}
	produce(t, cfg, msgs...)
	testenv.Eventually(t, 20*time.Second, "every deal", func() bool { return eventCount(t, db) == len(cases) })
	testenv.Eventually(t, 10*time.Second, "the day boards", func() bool {
		for day, n := range want {
			if boardAt(t, store, c.ID, day)["ana"] != n {
				return false
			}
		}
		return true
	})
	for day, n := range want {
		if got := boardAt(t, store, c.ID, day)["ana"]; got != n {
			t.Errorf("%s: %d deals, want %d", day, got/100, n/100)
		}
	}
	if p, _ := c.PeriodByKey("2026-11-01"); p.End.Sub(p.Start) != 25*time.Hour {
		t.Errorf("2026-11-01 in New York lasts %v", p.End.Sub(p.Start))
	}
}
