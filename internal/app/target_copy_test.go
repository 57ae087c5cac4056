package app_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	bpmessage "bullpen/internal/message"
	"bullpen/internal/pipeline"
	"bullpen/internal/postgres"
	"bullpen/internal/target"
)

// wholeReads counts the sender's reads of a set with its targets.
type wholeReads struct {
	*postgres.DB
	n atomic.Int64
}

func (w *wholeReads) TargetSet(ctx context.Context, id int64) (target.Stored, error) {
	w.n.Add(1)
	return w.DB.TargetSet(ctx, id)
}

// A set's board is sent a few times a second while its targets rarely change: the sender reads
// the set whole only when its version moved (a target put, changed or deleted), and otherwise
// the version alone. A change that leaves the version alone (made by hand in SQL) still shows
// once the copy is a minute old.
func TestAnAttainmentBoardReadsItsSetWholeOnlyWhenTheSetChanged(t *testing.T) {
	t.Parallel()
	_, db, store, targets := eastTargets(t)
	ctx := context.Background()
	sets := &wholeReads{DB: db}
	clock := time.Now()
	sender := &pipeline.AttainmentSender{Sets: sets, Values: store, Reps: store, Now: func() time.Time { return clock }}
	k := target.SetKey{Period: "2026-11", Metric: "revenue", TeamID: "east"}
	put := func(rep string, amount int64) int64 {
		t.Helper()
		row := target.Target{Period: k.Period, Metric: k.Metric, TeamID: k.TeamID, RepID: rep, Target: bullpen.Fixed(amount * 100)}
		out, err := targets.Put(ctx, &target.Request{Rows: []target.Target{row}}, "test")
		if err != nil || len(out.Sets) != 1 {
			t.Fatalf("put: %v %+v", err, out)
		}
		return out.Sets[0].ID
	}
	// send sends the board and returns each rep's target on it, and the whole reads so far.
	send := func(id int64) (map[string]int64, int64) {
		t.Helper()
		if err := sender.Send(ctx, store, id); err != nil {
			t.Fatal(err)
		}
		got, _ := lastMessage(t, store, "targets:east", "attainment.board", "")
		var b bpmessage.AttainmentBoard
		if err := json.Unmarshal([]byte(got), &b); err != nil {
			t.Fatalf("board %s: %v", got, err)
		}
		out := map[string]int64{}
		for _, r := range b.Reps {
			out[r.RepID] = int64(r.Target)
		}
		return out, sets.n.Load()
	}
	want := func(what string, got map[string]int64, reads, wantReads int64, targets map[string]int64) {
		t.Helper()
		if reads != wantReads || len(got) != len(targets) {
			t.Fatalf("%s: %d whole reads (want %d), board %v (want %v)", what, reads, wantReads, got, targets)
		}
		for rep, v := range targets {
			if got[rep] != v {
				t.Fatalf("%s: board %v, want %v", what, got, targets)
			}
		}
	}

	id := put("ana", 3000)
	got, reads := send(id)
	want("first send", got, reads, 1, map[string]int64{"ana": 300000})
	got, reads = send(id)
	want("nothing changed", got, reads, 1, map[string]int64{"ana": 300000})

	put("ana", 4000)
	got, reads = send(id)
	want("ana's target changed", got, reads, 2, map[string]int64{"ana": 400000})
	put("bo", 1000)
	got, reads = send(id)
	want("bo's target put", got, reads, 3, map[string]int64{"ana": 400000, "bo": 100000})
	if err := targets.Delete(ctx, k, "bo", "test"); err != nil {
		t.Fatal(err)
	}
	got, reads = send(id)
	want("bo's target deleted", got, reads, 4, map[string]int64{"ana": 400000})

	if _, err := db.Pool.Exec(ctx, `UPDATE targets SET target = 500000 WHERE set_id = $1 AND rep_id = 'ana'`, id); err != nil {
		t.Fatal(err)
	}
	got, reads = send(id)
	want("changed by hand, the copy still young", got, reads, 4, map[string]int64{"ana": 400000})
	clock = clock.Add(time.Minute)
	got, reads = send(id)
	want("changed by hand, the copy a minute old", got, reads, 5, map[string]int64{"ana": 500000})
}
