package redis_test

import (
	"context"
	"encoding/json"
	"testing"
)

func TestChannelTailReturnsOnlyWhatASubscriberNeeds(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if _, err := s.Publish(ctx, "floor", "celebration", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(since int64, min int) (int64, []int64) {
		st, err := s.ChannelTail(ctx, "floor", since, min)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range st.History {
			var m struct{ Seq int64 }
			_ = json.Unmarshal([]byte(h), &m)
			out = append(out, m.Seq)
		}
		if st.Epoch == "" {
			t.Fatal("no epoch")
		}
		return st.Seq, out
	}
	if seq, got := seqs(7, 0); seq != 10 || len(got) != 3 || got[0] != 8 || got[2] != 10 {
		t.Fatalf("after 7: seq %d, history %v", seq, got)
	}
	if _, got := seqs(-1, 2); len(got) != 2 || got[0] != 9 {
		t.Fatalf("no since, at least 2: %v", got)
	}
	if _, got := seqs(-1, 0); len(got) != 0 {
		t.Fatalf("a snapshot of a contest needs no history: %v", got)
	}
	if _, got := seqs(0, 0); len(got) != 10 || got[0] != 1 {
		t.Fatalf("from the start: %v", got)
	}
}
