package live

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"bullpen/internal/bullpen"
)

func TestParseMessageReadsSeqAndEpochWithoutTheData(t *testing.T) {
	for _, tc := range []struct {
		name, payload string
		seq           int64
		epoch         string
		ok            bool
	}{
		{"as the publish script writes it", `{"type":"update","channel":"floor","seq":42,"epoch":"abc","data":{"seq":1}}`, 42, "abc", true},
		{"another layout", `{"epoch":"abc","seq":7,"type":"update"}`, 7, "abc", true},
		{"no seq", `{"type":"update","epoch":"abc"}`, 0, "", false},
		{"not JSON", `nope`, 0, "", false},
	} {
		m, ok := parseMessage(tc.payload)
		if ok != tc.ok || ok && (m.seq != tc.seq || m.epoch != tc.epoch) || string(m.raw) != tc.payload {
			t.Errorf("%s: seq %d epoch %q ok %v, want %d %q %v", tc.name, m.seq, m.epoch, ok, tc.seq, tc.epoch, tc.ok)
		}
	}
}

// Every notice the node hears passes through parseMessage: its bytes are the payload's own,
// not a copy, and its epoch is a copy of its own, so a subscription that keeps the epoch does
// not keep the whole message.
func TestParseMessageSharesThePayloadAndCopiesOnlyTheEpoch(t *testing.T) {
	payload := strings.Clone(`{"type":"rank","channel":"rep:r1","seq":42,"epoch":"0a1b2c3d4e5f","data":{"rank":3}}`)
	m, ok := parseMessage(payload)
	if !ok || m.seq != 42 || m.epoch != "0a1b2c3d4e5f" {
		t.Fatalf("seq %d epoch %q ok %v", m.seq, m.epoch, ok)
	}
	if unsafe.SliceData(m.raw) != unsafe.StringData(payload) {
		t.Error("the message's bytes are a copy of the payload")
	}
	if p, e := uintptr(unsafe.Pointer(unsafe.StringData(payload))), uintptr(unsafe.Pointer(unsafe.StringData(m.epoch))); e >= p && e < p+uintptr(len(payload)) {
		t.Error("the epoch is a slice of the payload: whoever keeps it keeps the message")
	}
	if n := testing.AllocsPerRun(100, func() { m, _ = parseMessage(payload) }); n > 1 {
		t.Errorf("%v allocations a message, want at most 1 (the epoch)", n)
	}
}

func TestResumeFromOnlyWithEveryMessageOfTheEpoch(t *testing.T) {
	hist := func(epoch string, seqs ...int64) []channelMessage {
		out := make([]channelMessage, len(seqs))
		for i, s := range seqs {
			out[i] = channelMessage{seq: s, epoch: epoch, raw: []byte(fmt.Sprint(s))}
		}
		return out
	}
	st := bullpen.ChannelState{Epoch: "e1", Seq: 10}
	for _, tc := range []struct {
		name  string
		hist  []channelMessage
		since int64
		epoch string
		want  string // the messages resumed, or "none" when it falls back to a snapshot
	}{
		{"the history covers since", hist("e1", 7, 8, 9, 10), 8, "e1", "[9 10]"},
		{"up to date", hist("e1", 9, 10), 10, "e1", "[]"},
		{"older than the history", hist("e1", 9, 10), 5, "e1", "none"},
		{"another epoch", hist("e1", 9, 10), 9, "e0", "none"},
		{"no epoch past 0", hist("e1", 9, 10), 9, "", "none"},
		{"ahead of the channel", hist("e1", 9, 10), 11, "e1", "none"},
		{"a hole in the history", hist("e1", 7, 9, 10), 7, "e1", "none"},
		{"no epoch from 0 with the whole history", hist("e1", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0, "", "[1 2 3 4 5 6 7 8 9 10]"},
	} {
		msgs, ok := resumeFrom(st, tc.hist, tc.since, tc.epoch)
		got := "none"
		if ok {
			s := make([]string, len(msgs))
			for i, m := range msgs {
				s[i] = string(m)
			}
			got = fmt.Sprint(s)
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
