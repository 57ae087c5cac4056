package live

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
	"bullpen/internal/live/wire"
)

// countingSnapshots answers snapshots with the count of reads so far, so each read differs.
type countingSnapshots struct {
	Snapshots
	reads int
}

func (c *countingSnapshots) ContestSnapshot(_ context.Context, k *contest.Contest, _ int) (json.RawMessage, error) {
	c.reads++
	return json.RawMessage(fmt.Sprintf(`{"contest_id":%q,"read":%d}`, k.ID, c.reads)), nil
}

func (c *countingSnapshots) RepSnapshot(_ context.Context, repID string) (json.RawMessage, error) {
	c.reads++
	return json.RawMessage(fmt.Sprintf(`{"rep_id":%q,"read":%d}`, repID, c.reads)), nil
}

// Sockets subscribing afresh to a contest at one epoch and seq share its snapshot's frame: one
// read, the same bytes. A later seq, another epoch, a second's age, a resume that missed the
// history ("recovered": false) and a rep's own channel each read again.
func TestAFreshSnapshotOfASharedChannelIsReadOncePerSeq(t *testing.T) {
	snaps := &countingSnapshots{}
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	l := New(Deps{Snapshots: snaps, Now: func() time.Time { return now }})
	ctx := context.Background()
	board := wire.Channel{Name: "contest:c1", Kind: wire.KindContest, ID: "c1"}
	k := &contest.Contest{ID: "c1"}
	frame := func(ch wire.Channel, epoch string, seq int64, unrecovered bool) string {
		t.Helper()
		f, err := l.snapshotFrame(ctx, ch, bullpen.ChannelState{Epoch: epoch, Seq: seq}, k, unrecovered)
		if err != nil {
			t.Fatal(err)
		}
		return string(f)
	}
	read := func(f string) string { // the read count the frame's data carries
		_, after, _ := strings.Cut(f, `"read":`)
		n, _, _ := strings.Cut(after, "}")
		return n
	}

	first := frame(board, "e1", 5, false)
	if again := frame(board, "e1", 5, false); again != first || snaps.reads != 1 {
		t.Fatalf("a second fresh subscriber at seq 5: %s after %s, %d reads; want the same frame and 1 read", again, first, snaps.reads)
	}
	if !strings.HasPrefix(first, `{"type":"snapshot","channel":"contest:c1","seq":5,"epoch":"e1","data":{`) {
		t.Errorf("frame %s", first)
	}
	for _, tc := range []struct {
		name        string
		ch          wire.Channel
		epoch       string
		seq         int64
		unrecovered bool
		advance     time.Duration
		want        string // the read the frame carries
	}{
		{"a resume the history could not serve", board, "e1", 5, true, 0, "2"},
		{"a fresh one at seq 5 still", board, "e1", 5, false, 0, "1"},
		{"the next seq", board, "e1", 6, false, 0, "3"},
		{"seq 6 again", board, "e1", 6, false, 999 * time.Millisecond, "3"},
		{"seq 6 a second after its read", board, "e1", 6, false, time.Millisecond, "4"},
		{"another epoch at seq 6", board, "e2", 6, false, 0, "5"},
		{"a rep's own channel", wire.Channel{Name: "rep:r1", Kind: wire.KindRep, ID: "r1"}, "e1", 1, false, 0, "6"},
		{"that rep's channel again", wire.Channel{Name: "rep:r1", Kind: wire.KindRep, ID: "r1"}, "e1", 1, false, 0, "7"},
	} {
		now = now.Add(tc.advance)
		f := frame(tc.ch, tc.epoch, tc.seq, tc.unrecovered)
		if got := read(f); got != tc.want {
			t.Errorf("%s: the frame carries read %s, want %s (%s)", tc.name, got, tc.want, f)
		}
		if strings.Contains(f, `"recovered":false`) != tc.unrecovered {
			t.Errorf("%s: %s", tc.name, f)
		}
	}
}
