package app_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/testenv"
)

// Two consumer processes merge as one: each rank change is told once, so every rep's rank
// messages chain (each one's previous_rank is the last one's rank), and the contest gets no
// more updates than one merger would send.
func TestTwoConsumersMergeStandingsAsOne(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	db, store := openDB(t, cfg), openStore(t, cfg)
	c := mustContest(t, db, revenueContest("Merged"))
	bin := binary(t, "consumer")
	env := environ(cfg)
	startProcess(t, bin, env)
	startProcess(t, bin, env)
	time.Sleep(2 * time.Second) // let both join the group and split the partitions

	reps := make([]string, 12) // keys spread the reps over the six partitions
	for i := range reps {
		reps[i] = fmt.Sprintf("rep-%d", i)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	now := time.Now().UTC().Format(time.RFC3339Nano)
	const waves = 16
	start := time.Now()
	n := 0
	for w := 0; w < waves; w++ {
		var msgs []kafkago.Message
		for range 6 {
			rep := reps[rng.IntN(len(reps))]
			msgs = append(msgs, msg(rep, ev{"event_id": fmt.Sprint("m", n), "type": "deal.won", "deal_id": fmt.Sprint("M", n),
				"amount": 100 + rng.IntN(5000), "occurred_at": now}))
			n++
		}
		produce(t, cfg, msgs...)
		time.Sleep(150 * time.Millisecond)
	}
	testenv.Eventually(t, 30*time.Second, "every deal", func() bool { return eventCount(t, db) == n })
	time.Sleep(time.Second) // the last merged update and rank messages
	elapsed := time.Since(start)

	told := 0
	for _, rep := range reps {
		last := int64(0)
		for _, m := range history(t, store, "rep:"+rep) {
			if m.Type != "rank" {
				continue
			}
			var r struct {
				Rank         int64
				PreviousRank int64 `json:"previous_rank"`
			}
			if err := json.Unmarshal(m.Data, &r); err != nil {
				t.Fatal(err)
			}
			if last != 0 && r.PreviousRank != last {
				t.Errorf("%s: rank message %d says it was #%d, the one before said #%d: a change told twice or missed", rep, m.Seq, r.PreviousRank, last)
			}
			last = r.Rank
			told++
		}
	}
	if told == 0 {
		t.Fatal("no rank messages at all")
	}
	updates := 0
	for _, m := range history(t, store, "contest:"+c.ID) {
		if m.Type == "update" {
			updates++
		}
	}
	if most := int(elapsed/(250*time.Millisecond)) + 2; updates > most {
		t.Errorf("%d updates in %v: more than one merger's %d", updates, elapsed.Round(time.Millisecond), most)
	}
	t.Logf("%d events, %d rank messages, %d updates in %v", n, told, updates, elapsed.Round(time.Millisecond))
}
