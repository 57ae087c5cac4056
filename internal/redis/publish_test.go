package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"bullpen/internal/bullpen"
	"bullpen/internal/redis"
	"bullpen/internal/testenv"
)

// A page of queued messages spanning channels and more than one script call is numbered per
// channel in order, kept in each history and announced in each channel's order, like Publish one
// by one; a channel that already had an epoch keeps it. (Order is a channel's, as seq is: on a
// Redis Cluster the channels' notices come from different nodes.)
func TestPublishQueuedNumbersEachChannelInOrder(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	first, err := s.Publish(ctx, "floor", "celebration", []byte(`{"n":-1}`))
	if err != nil {
		t.Fatal(err)
	}
	var m0 struct{ Epoch string }
	if err := json.Unmarshal([]byte(first), &m0); err != nil || m0.Epoch == "" {
		t.Fatalf("first message %s: %v", first, err)
	}
	channels := []string{"floor", "rep:ana", "rep:bo"}
	sub := s.Client().Subscribe(ctx, s.NoticeChannel(channels[0]), s.NoticeChannel(channels[1]), s.NoticeChannel(channels[2]))
	defer func() { _ = sub.Close() }()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 1234 // more than one page
	msgs := make([]bullpen.Queued, n)
	for i := range msgs {
		msgs[i] = bullpen.Queued{Channel: channels[i%3], Type: "rank", Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
	}
	if err := s.Client().ScriptFlush(ctx).Err(); err != nil { // the script is loaded again
		t.Fatal(err)
	}
	if err := s.PublishQueued(ctx, msgs); err != nil {
		t.Fatal(err)
	}

	type msg struct {
		Type, Channel, Epoch string
		Seq                  int64
		Data                 struct{ N int }
	}
	lastSeq := map[string]int64{"floor": 1}
	epochs := map[string]string{"floor": m0.Epoch}
	nextN := map[string]int{channels[0]: 0, channels[1]: 1, channels[2]: 2} // each channel's next message
	ch := sub.Channel()
	timeout := time.After(10 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case <-timeout:
			t.Fatalf("only %d of %d notices arrived", i, n)
		case note := <-ch:
			var m msg
			if err := json.Unmarshal([]byte(note.Payload), &m); err != nil {
				t.Fatalf("notice %q: %v", note.Payload, err)
			}
			if m.Type != "rank" || m.Data.N != nextN[m.Channel] {
				t.Fatalf("notice %d out of order or wrong (want n %d of %s): %s", i, nextN[m.Channel], m.Channel, note.Payload)
			}
			nextN[m.Channel] += 3
			if m.Seq != lastSeq[m.Channel]+1 {
				t.Fatalf("%s: seq %d after %d", m.Channel, m.Seq, lastSeq[m.Channel])
			}
			lastSeq[m.Channel] = m.Seq
			if e, ok := epochs[m.Channel]; ok && e != m.Epoch {
				t.Fatalf("%s: epoch %q changed to %q", m.Channel, e, m.Epoch)
			}
			epochs[m.Channel] = m.Epoch
		}
	}
	for _, c := range channels {
		st, err := s.Channel(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if st.Seq != lastSeq[c] || st.Epoch != epochs[c] {
			t.Fatalf("%s: state seq %d epoch %q, announced %d %q", c, st.Seq, st.Epoch, lastSeq[c], epochs[c])
		}
		if len(st.History) == 0 {
			t.Fatalf("%s: no history", c)
		}
		var last msg
		if err := json.Unmarshal([]byte(st.History[len(st.History)-1]), &last); err != nil || last.Seq != st.Seq {
			t.Fatalf("%s: last history entry %s (%v), seq %d", c, st.History[len(st.History)-1], err, st.Seq)
		}
	}
}

// A rep's channel keeps a shorter history than a contest's or the floor's.
func TestRepChannelsKeepAShorterHistory(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	var msgs []bullpen.Queued
	for i := range 700 {
		msgs = append(msgs, bullpen.Queued{Channel: "rep:ana", Type: "rank", Data: []byte(fmt.Sprint(i))},
			bullpen.Queued{Channel: "floor", Type: "celebration", Data: []byte(fmt.Sprint(i))})
	}
	if err := s.PublishQueued(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Channel(ctx, "rep:ana")
	if err != nil {
		t.Fatal(err)
	}
	floor, err := s.Channel(ctx, "floor")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Seq != 700 || floor.Seq != 700 || len(rep.History) != 100 || len(floor.History) != 500 {
		t.Fatalf("rep: seq %d, %d kept; floor: seq %d, %d kept; want 700/100 and 700/500",
			rep.Seq, len(rep.History), floor.Seq, len(floor.History))
	}
}

// A history is trimmed once it is an eighth over its length, not at every message: the list
// never holds more than that, and no read gives more than the length, whatever since asks.
func TestAHistoryIsTrimmedInStepsAndReadToItsLength(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	for _, c := range []struct {
		channel    string
		keep, most int64
	}{{"rep:ana", 100, 112}, {"floor", 500, 562}} {
		longest := int64(0)
		for i := range 3 * c.most {
			msg := bullpen.Queued{Channel: c.channel, Type: "rank", Data: []byte(fmt.Sprint(i))}
			if err := s.PublishQueued(ctx, []bullpen.Queued{msg}); err != nil {
				t.Fatal(err)
			}
			n, err := s.Client().LLen(ctx, s.HistoryKey(c.channel)).Result()
			if err != nil {
				t.Fatal(err)
			}
			longest = max(longest, n)
		}
		if longest != c.most { // the push that would make it most+1 trims it back to keep
			t.Errorf("%s: its list held at most %d messages, want %d", c.channel, longest, c.most)
		}
		n, _ := s.Client().LLen(ctx, s.HistoryKey(c.channel)).Result()
		if n <= c.keep {
			t.Errorf("%s: %d messages left after %d, want more than %d: it was trimmed at every message", c.channel, n, 3*c.most, c.keep)
		}
		seq := 3 * c.most
		st, err := s.ChannelTail(ctx, c.channel, seq-n, 0) // since the oldest the list holds
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(st.History)) != c.keep || st.Seq != seq {
			t.Errorf("%s: a tail since %d gave %d messages (seq %d), want the last %d", c.channel, seq-n, len(st.History), st.Seq, c.keep)
		}
		var last struct{ Seq int64 }
		if err := json.Unmarshal([]byte(st.History[len(st.History)-1]), &last); err != nil || last.Seq != seq {
			t.Errorf("%s: the tail ends with %s, want seq %d", c.channel, st.History[len(st.History)-1], seq)
		}
	}
}

// publishCalls counts the publishing script's calls among cmds, and the messages in the largest.
func publishCalls(cmds []goredis.Cmder) (calls, most int) {
	for _, cmd := range cmds {
		if args := cmd.Args(); cmd.Name() == "evalsha" && args[1] == redis.PublishScriptHash {
			n, _ := strconv.Atoi(fmt.Sprint(args[2]))
			calls, most = calls+1, max(most, n/3)
		}
	}
	return calls, most
}

// A page is published in a few script calls, not one per message: on a single server whatever
// its channels, on a cluster (whose calls keep to one slot) one channel's messages together. A
// call stays short: at most PublishCallMessages messages, and no more data than
// PublishCallBytes past its first.
func TestAPageIsPublishedInFewCalls(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	_, cluster := s.Client().(*goredis.ClusterClient)
	trips := testenv.CountRoundTrips(s.Client())
	page := func(n, size int, channel func(i int) string) []bullpen.Queued {
		msgs := make([]bullpen.Queued, n)
		for i := range msgs {
			msgs[i] = bullpen.Queued{Channel: channel(i), Type: "rank", Data: []byte(`"` + strings.Repeat("x", size) + `"`)}
		}
		return msgs
	}
	most := redis.PublishCallMessages
	big := redis.PublishCallBytes/3 + 1 // two to a call: a third would pass the bytes
	for _, tc := range []struct {
		name      string
		msgs      []bullpen.Queued
		want      int // calls on a single server
		onCluster int
	}{
		{"100 channels, a message each", page(100, 10, func(i int) string { return fmt.Sprintf("rep:r%d", i) }), 4, 100},
		{"one channel, 100 messages", page(100, 10, func(int) string { return "floor" }), 4, 4},
		{"two channels taking turns", page(2*most, 10, func(i int) string { return []string{"floor", "contest:k"}[i%2] }), 2, 2},
		{"large messages", page(9, big, func(int) string { return "contest:k" }), 5, 5},
	} {
		trips.Reset()
		if err := s.PublishQueued(ctx, tc.msgs); err != nil {
			t.Fatal(err)
		}
		want := tc.want
		if cluster {
			want = tc.onCluster
		}
		calls, largest := publishCalls(trips.Commands())
		if calls != want {
			t.Errorf("%s: %d script calls, want %d", tc.name, calls, want)
		}
		if largest > most {
			t.Errorf("%s: a call of %d messages, want at most %d", tc.name, largest, most)
		}
	}
}
