package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

// message is a live channel message as published.
type message struct {
	Type    string          `json:"type"`
	Channel string          `json:"channel"`
	Seq     int64           `json:"seq"`
	Epoch   string          `json:"epoch"`
	Data    json.RawMessage `json:"data"`
}

func history(t *testing.T, s *redis.Store, channel string) []message {
	t.Helper()
	st, err := s.Channel(context.Background(), channel)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]message, len(st.History))
	for i, h := range st.History {
		if err := json.Unmarshal([]byte(h), &out[i]); err != nil {
			t.Fatalf("history entry %q: %v", h, err)
		}
	}
	return out
}

func TestDealsReachTheLiveChannelsAfterTheyCommit(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("Live"))
	inc := launchIncentive(t, db, 1, 200, 1000)
	startConsumer(t, cfg)

	now := time.Now().UTC().Format(time.RFC3339Nano)
	var msgs []kafkago.Message
	for i := 0; i < 30; i++ {
		rep := fmt.Sprintf("rep-%d", i%3)
		msgs = append(msgs, msg(rep, ev{"event_id": fmt.Sprint("l", i), "type": "deal.won", "deal_id": fmt.Sprint("L", i),
			"amount": 1000 + i, "occurred_at": now, "rep_name": "Rep " + rep, "team_id": "east"}))
	}
	produce(t, cfg, msgs...)
	testenv.Eventually(t, 20*time.Second, "every celebration", func() bool { return len(history(t, store, "floor")) >= 31 })

	celebrations, won := 0, 0
	for i, m := range history(t, store, "floor") {
		if m.Seq != int64(i+1) || m.Epoch == "" || m.Channel != "floor" {
			t.Fatalf("floor message %d: seq %d epoch %q channel %q", i, m.Seq, m.Epoch, m.Channel)
		}
		switch m.Type {
		case "celebration":
			celebrations++
			var d struct{ RepID, Name, DealID string }
			var raw map[string]any
			_ = json.Unmarshal(m.Data, &raw)
			d.RepID, d.Name, d.DealID = fmt.Sprint(raw["rep_id"]), fmt.Sprint(raw["name"]), fmt.Sprint(raw["deal_id"])
			if d.Name != "Rep "+d.RepID || raw["amount"] == nil || raw["team_id"] != "east" {
				t.Errorf("celebration %s", m.Data)
			}
		case "incentive.won":
			won++
		}
	}
	if celebrations != 30 || won != 1 {
		t.Fatalf("%d celebrations and %d incentive wins, want 30 and 1", celebrations, won)
	}

	// The winner's own feed has the reward, with the balance after it.
	var reward *message
	for _, rep := range []string{"rep-0", "rep-1", "rep-2"} {
		for _, m := range history(t, store, "rep:"+rep) {
			if m.Type == "reward" {
				m := m
				reward = &m
			}
		}
	}
	if reward == nil {
		t.Fatal("no reward message on any rep's feed")
	}
	var r struct {
		Points, Balance int64
		IncentiveID     string `json:"incentive_id"`
	}
	if err := json.Unmarshal(reward.Data, &r); err != nil || r.Points != 200 || r.Balance != 200 || r.IncentiveID != inc {
		t.Fatalf("reward %s", reward.Data)
	}

	// The contest's feed: merged updates, far fewer than the 30 events, the last one whole.
	testenv.Eventually(t, 10*time.Second, "the last update", func() bool {
		h := history(t, store, "contest:"+c.ID)
		if len(h) == 0 {
			return false
		}
		var st struct{ Total int }
		_ = json.Unmarshal(h[len(h)-1].Data, &st)
		return st.Total == 3
	})
	if n := len(history(t, store, "contest:"+c.ID)); n >= 30 {
		t.Fatalf("%d updates for 30 events: not merged", n)
	}

	// rep-0 is last; one big deal takes it to the top: it hears whom it passed, and they hear
	// who passed them. First wait until the board shows rep-0 last, so the merger has seen it.
	testenv.Eventually(t, 10*time.Second, "rep-0 last on the board", func() bool {
		h := history(t, store, "contest:"+c.ID)
		var st struct {
			Entries []struct {
				RepID string `json:"rep_id"`
			}
		}
		_ = json.Unmarshal(h[len(h)-1].Data, &st)
		return len(st.Entries) == 3 && st.Entries[2].RepID == "rep-0"
	})
	time.Sleep(300 * time.Millisecond)
	produce(t, cfg, msg("rep-0", ev{"event_id": "big", "type": "deal.won", "deal_id": "BIG", "amount": 99999, "occurred_at": now}))
	var rank struct {
		Rank         int64
		PreviousRank int64 `json:"previous_rank"`
		Passed       []struct {
			RepID string `json:"rep_id"`
		}
		GapToNext *float64 `json:"gap_to_next"`
	}
	// (Earlier rank messages may exist: the first deals reached the board over several ticks.)
	testenv.Eventually(t, 10*time.Second, "rep-0's rank message for first place", func() bool {
		for _, m := range history(t, store, "rep:rep-0") {
			if m.Type == "rank" && json.Unmarshal(m.Data, &rank) == nil && rank.Rank == 1 {
				return true
			}
		}
		return false
	})
	if rank.PreviousRank != 3 || len(rank.Passed) != 2 || rank.GapToNext != nil {
		t.Fatalf("rep-0's rank message: %+v", rank)
	}
	testenv.Eventually(t, 10*time.Second, "rep-2's rank message", func() bool {
		for _, m := range history(t, store, "rep:rep-2") {
			if m.Type == "rank" {
				return true
			}
		}
		return false
	})
}
