package wire_test

import (
	"errors"
	"testing"

	"bullpen/internal/live/wire"
)

func TestReadRequestBeforeAuth(t *testing.T) {
	for _, line := range []string{
		`{"type":"auth","token":"s3cret"}`,
		`{"type":"auth"}`, // an empty token is the socket's to refuse, with 4401
		`{"type":"auth","token":"s","type":"auth"}`,
	} {
		r, err := wire.ReadRequest([]byte(line), false)
		if err != nil || r.Type != "auth" {
			t.Errorf("%s: %+v, %v; want auth", line, r, err)
		}
	}
	for _, line := range []string{
		`{"type":"ping"}`, `{"type":"subscribe","channel":"floor"}`, `{"type":"auth","token":5}`,
		`{"type":"auth","token":"s","type":"ping"}`, `{"type":"auth"`, `[{"type":"auth"}]`, `null`, ``,
		"{\"type\":\"auth\",\"since\":1e30}",
	} {
		if _, err := wire.ReadRequest([]byte(line), false); !errors.Is(err, wire.ErrFirstNotAuth) {
			t.Errorf("%s before auth: %v, want ErrFirstNotAuth", line, err)
		}
	}
}

func TestReadRequest(t *testing.T) {
	since := func(n int64) *int64 { return &n }
	for _, tc := range []struct {
		line    string
		typ     string
		channel wire.Channel
		since   *int64
	}{
		{line: `{"type":"ping"}`, typ: "ping"},
		{line: `{"type":"subscribe","channel":"contest:c1"}`, typ: "subscribe", channel: wire.Channel{Name: "contest:c1", Kind: wire.KindContest, ID: "c1"}},
		{line: `{"type":"subscribe","channel":"floor","since":41,"epoch":"e1"}`, typ: "subscribe", channel: wire.Channel{Name: "floor", Kind: wire.KindFloor}, since: since(41)},
		{line: `{"type":"subscribe","channel":"rep:ana","since":-1}`, typ: "subscribe", channel: wire.Channel{Name: "rep:ana", Kind: wire.KindRep, ID: "ana"}, since: since(-1)}, // the subscribe refuses it
		{line: `{"type":"subscribe","channel":"rep:ana","since":null}`, typ: "subscribe", channel: wire.Channel{Name: "rep:ana", Kind: wire.KindRep, ID: "ana"}},
		{line: `{"type":"unsubscribe","channel":"targets:east"}`, typ: "unsubscribe", channel: wire.Channel{Name: "targets:east", Kind: wire.KindTargets, ID: "east"}},
		{line: `{"type":"unsubscribe","channel":"floor","channel":"contest:c2"}`, typ: "unsubscribe", channel: wire.Channel{Name: "contest:c2", Kind: wire.KindContest, ID: "c2"}},
		{line: `{"type":"ping","extra":{"nested":[1,{"a":null}]}}`, typ: "ping"},
	} {
		r, err := wire.ReadRequest([]byte(tc.line), true)
		if err != nil || r.Type != tc.typ || r.Ch != tc.channel || (r.Since == nil) != (tc.since == nil) ||
			(r.Since != nil && *r.Since != *tc.since) {
			t.Errorf("%s: %+v, %v", tc.line, r, err)
		}
	}
	for _, tc := range []struct{ line, field string }{
		{`not json`, ""},
		{`{"type":"ping"`, ""},
		{`[{"type":"ping"}]`, ""},
		{`"ping"`, ""},
		{`{"type":"auth","token":"s"}`, "type"},
		{`{"type":"pong"}`, "type"},
		{`{}`, "type"},
		{`null`, "type"},
		{`{"type":"PING"}`, "type"},
		{`{"type":{"nested":"ping"}}`, "type"},
		{`{"type":"subscribe","channel":"contest:"}`, "channel"},
		{`{"type":"subscribe"}`, "channel"},
		{`{"type":"subscribe","channel":"contest:a\u0000b"}`, "channel"},
		{`{"type":"unsubscribe","channel":"targets:\u001b[2J"}`, "channel"},
		{`{"type":"subscribe","channel":{"name":"floor"}}`, "channel"},
		{`{"type":"subscribe","channel":"floor","since":99999999999999999999}`, "since"},
		{`{"type":"subscribe","channel":"floor","since":1.5}`, "since"},
		{`{"type":"subscribe","channel":"floor","since":"41"}`, "since"},
		{`{"type":"subscribe","channel":"floor","epoch":7}`, "epoch"},
		{`{"type":"subscribe","channel":"floor","token":true}`, "token"},
	} {
		_, err := wire.ReadRequest([]byte(tc.line), true)
		assertInvalid(t, tc.line, err, tc.field)
	}
}

// A refused channel comes back with the request, so the error can name it.
func TestReadRequestKeepsRefusedChannel(t *testing.T) {
	r, err := wire.ReadRequest([]byte(`{"type":"subscribe","channel":"contest:\u0007"}`), true)
	if err == nil || r.Channel != "contest:\a" {
		t.Fatalf("%+v, %v", r, err)
	}
}
