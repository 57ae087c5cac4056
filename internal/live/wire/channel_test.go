package wire_test

import (
	"strings"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/live/wire"
)

func TestParseChannel(t *testing.T) {
	long := strings.Repeat("é", wire.MaxIDLength)
	for _, tc := range []struct {
		name string
		want wire.Channel // zero: refused with invalid_argument naming channel
	}{
		{"floor", wire.Channel{Name: "floor", Kind: wire.KindFloor}},
		{"contest:3f1c2a9e-0b7d-4c55-9a43-1e2f3a4b5c6d", wire.Channel{Name: "contest:3f1c2a9e-0b7d-4c55-9a43-1e2f3a4b5c6d", Kind: wire.KindContest, ID: "3f1c2a9e-0b7d-4c55-9a43-1e2f3a4b5c6d"}},
		{"contest:Q4 push", wire.Channel{Name: "contest:Q4 push", Kind: wire.KindContest, ID: "Q4 push"}},
		{"contest:contest:x", wire.Channel{Name: "contest:contest:x", Kind: wire.KindContest, ID: "contest:x"}},
		{"contest:" + long, wire.Channel{Name: "contest:" + long, Kind: wire.KindContest, ID: long}},
		{"rep:ana.b@x-1:2_3", wire.Channel{Name: "rep:ana.b@x-1:2_3", Kind: wire.KindRep, ID: "ana.b@x-1:2_3"}},
		{"targets:east", wire.Channel{Name: "targets:east", Kind: wire.KindTargets, ID: "east"}},
		{"targets:Zoë's team", wire.Channel{Name: "targets:Zoë's team", Kind: wire.KindTargets, ID: "Zoë's team"}},
		{"targets:" + long, wire.Channel{Name: "targets:" + long, Kind: wire.KindTargets, ID: long}},
		{"", wire.Channel{}},
		{"Floor", wire.Channel{}},
		{"floor:", wire.Channel{}},
		{"contest", wire.Channel{}},
		{"contest:", wire.Channel{}},
		{"targets:", wire.Channel{}},
		{"rep:", wire.Channel{}},
		{"contest:" + long + "x", wire.Channel{}},
		{"targets:" + long + "x", wire.Channel{}},
		{"rep:" + strings.Repeat("a", 101), wire.Channel{}},
		{"rep:ana b", wire.Channel{}},
		{"rep:zoë", wire.Channel{}},
		// Regression: ids with NUL, other control characters or bytes that are not UTF-8 were
		// accepted for contest and targets channels.
		{"contest:\x00", wire.Channel{}},
		{"contest:a\x00b", wire.Channel{}},
		{"contest:a\tb", wire.Channel{}},
		{"contest:a\nb", wire.Channel{}},
		{"contest:a\x7fb", wire.Channel{}},
		{"contest:a\u0085b", wire.Channel{}},
		{"contest:\xff", wire.Channel{}},
		{"targets:\x00", wire.Channel{}},
		{"targets:east\x1b[2J", wire.Channel{}},
		{"targets:\xc3", wire.Channel{}},
		{"targets:\xed\xa0\x80", wire.Channel{}}, // a surrogate half in UTF-8 form
	} {
		got, err := wire.ParseChannel(tc.name)
		if tc.want == (wire.Channel{}) {
			assertInvalid(t, tc.name, err, "channel")
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseChannel(%q) = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

// assertInvalid holds err to an invalid_argument error naming field.
func assertInvalid(t *testing.T, input string, err error, field string) {
	t.Helper()
	be, ok := err.(*bullpen.Error)
	if !ok || be.Code != bullpen.EInvalid || be.Field != field || be.Message == "" {
		t.Errorf("%q: got error %#v, want invalid_argument naming %q", input, err, field)
	}
}
