package wire_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"bullpen/internal/bullpen"
	"bullpen/internal/live/wire"
)

// FuzzReadRequest feeds the socket's client-message reader any bytes, before and after
// authentication (seeds: testdata/fuzz/FuzzReadRequest). It never panics; before auth it gives
// an auth request or ErrFirstNotAuth; after, what it accepts is a known type whose channel
// parses again to the same Channel, and what it refuses is invalid_argument naming the member
// at fault, or no member when the line is not a JSON object at all.
func FuzzReadRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, line []byte, authed bool) {
		r, err := wire.ReadRequest(line, authed)
		if !authed {
			if err == nil && r.Type != "auth" {
				t.Fatalf("before auth, accepted %q as %+v", line, r)
			}
			if err != nil && !errors.Is(err, wire.ErrFirstNotAuth) {
				t.Fatalf("before auth, %q refused with %v", line, err)
			}
			return
		}
		if err == nil {
			checkAccepted(t, line, r)
			return
		}
		checkRefused(t, line, r, err)
	})
}

func checkAccepted(t *testing.T, line []byte, r wire.Request) {
	switch r.Type {
	case "ping":
		if r.Ch != (wire.Channel{}) {
			t.Fatalf("%q: a ping with a channel %+v", line, r.Ch)
		}
	case "subscribe", "unsubscribe":
		again, err := wire.ParseChannel(r.Ch.Name)
		if err != nil || again != r.Ch || r.Ch.Name != r.Channel {
			t.Fatalf("%q: channel %+v (from %q) parses again as %+v, %v", line, r.Ch, r.Channel, again, err)
		}
	default:
		t.Fatalf("%q: accepted type %q after auth", line, r.Type)
	}
}

func checkRefused(t *testing.T, line []byte, r wire.Request, err error) {
	var be *bullpen.Error
	if !errors.As(err, &be) || be.Code != bullpen.EInvalid || be.Message == "" {
		t.Fatalf("%q after auth: refused with %#v, want invalid_argument", line, err)
	}
	// encoding/json as the independent reader: a line that is not a JSON object names no
	// member; one that is names the member at fault.
	var members map[string]json.RawMessage
	notObject := json.Unmarshal(line, &members) != nil
	if notObject != (be.Field == "") {
		t.Fatalf("%q: field %q, but a JSON object: %v", line, be.Field, !notObject)
	}
	var m wire.ClientMessage
	decodeErr := json.Unmarshal(line, &m)
	var te *json.UnmarshalTypeError
	switch be.Field {
	case "":
	case "channel":
		if _, perr := wire.ParseChannel(r.Channel); decodeErr == nil && (perr == nil || r.Channel != m.Channel ||
			(m.Type != "subscribe" && m.Type != "unsubscribe")) {
			t.Fatalf("%q: channel %q refused (%v), which parses as %v", line, r.Channel, err, perr)
		}
	case "type":
		if decodeErr == nil && (m.Type == "ping" || m.Type == "subscribe" || m.Type == "unsubscribe") {
			t.Fatalf("%q: type %q refused", line, m.Type)
		}
	case "since", "epoch", "token":
		if decodeErr == nil {
			t.Fatalf("%q: %s refused, which encoding/json reads", line, be.Field)
		}
	default:
		t.Fatalf("%q: refusal names %q, not a member of a client message", line, be.Field)
	}
	if decodeErr != nil && (!errors.As(decodeErr, &te) || te.Field != be.Field) && be.Field != "" {
		t.Fatalf("%q: field %q, encoding/json says %v", line, be.Field, decodeErr)
	}
}

// FuzzParseChannel holds channel names to their rules (seeds: testdata/fuzz/FuzzParseChannel):
// an accepted name is valid UTF-8 with no control character, its kind's prefix followed by its
// id, the id within its bounds; a refusal is invalid_argument naming channel; a contest or
// team id of printable text within bounds is never refused.
func FuzzParseChannel(f *testing.F) {
	f.Fuzz(func(t *testing.T, name string) {
		ch, err := wire.ParseChannel(name)
		if err != nil {
			var be *bullpen.Error
			if !errors.As(err, &be) || be.Code != bullpen.EInvalid || be.Field != "channel" || be.Message == "" {
				t.Fatalf("%q refused with %#v, want invalid_argument naming channel", name, err)
			}
			for _, p := range []string{"contest:", "targets:"} {
				if id, ok := strings.CutPrefix(name, p); ok && printable(id) {
					t.Fatalf("%q refused (%v), a printable id within bounds", name, err)
				}
			}
			return
		}
		if ch.Name != name || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
			t.Fatalf("accepted %q as %+v", name, ch)
		}
		prefix := map[wire.Kind]string{wire.KindFloor: "floor", wire.KindContest: "contest:", wire.KindRep: "rep:", wire.KindTargets: "targets:"}[ch.Kind]
		if prefix == "" || prefix+ch.ID != name {
			t.Fatalf("%q: kind %d and id %q do not make the name again", name, ch.Kind, ch.ID)
		}
		switch n := utf8.RuneCountInString(ch.ID); {
		case ch.Kind == wire.KindFloor && n != 0:
			t.Fatalf("%q: floor with an id", name)
		case ch.Kind != wire.KindFloor && (n < 1 || n > wire.MaxIDLength):
			t.Fatalf("%q: id of %d characters", name, n)
		case ch.Kind == wire.KindRep && strings.Trim(ch.ID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@-") != "":
			t.Fatalf("%q: a rep id with characters an event's rep_id may not have", name)
		}
	})
}

// printable is the documented rule for a contest or team id, read independently of the parser.
func printable(id string) bool {
	if !utf8.ValidString(id) {
		return false
	}
	n := 0
	for _, r := range id {
		if unicode.IsControl(r) {
			return false
		}
		n++
	}
	return n >= 1 && n <= wire.MaxIDLength
}
