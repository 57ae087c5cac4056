// Package wire is the socket protocol's parsing (docs/api.md §4): a client message read and
// checked, a channel name taken apart, and who may watch which channel. It is pure (no socket,
// no storage), so it is fuzzed on its own; internal/live acts on what it returns.
package wire

import (
	"encoding/json"
	"errors"
	"fmt"

	"bullpen/internal/bullpen"
)

// ClientMessage is any message a client sends; which fields count depends on the type.
type ClientMessage struct {
	Type    string  `json:"type"`
	Token   string  `json:"token"`
	Channel string  `json:"channel"`
	Since   *int64  `json:"since"`
	Epoch   *string `json:"epoch"`
}

// Request is a client message read and checked before it touches the socket's state: its type
// is one the protocol knows, and a channel it names is a channel name.
type Request struct {
	ClientMessage
	Ch Channel // subscribe, unsubscribe: Channel taken apart
}

// ErrFirstNotAuth: before a socket has authenticated, anything but auth closes it with 4401.
var ErrFirstNotAuth = errors.New("the first message must be auth")

// ReadRequest reads one client message. authed says whether the socket has authenticated. A
// refusal is ErrFirstNotAuth or an invalid_argument error to send back, naming the field at
// fault when one is (r.Channel names the channel it concerns, when the message named one).
func ReadRequest(line []byte, authed bool) (Request, error) {
	var r Request
	err := json.Unmarshal(line, &r.ClientMessage)
	if !authed {
		if err != nil || r.Type != "auth" {
			return r, ErrFirstNotAuth
		}
		return r, nil
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Request{}, bullpen.Invalid(te.Field, "%s", memberRule(te.Field))
		}
		return Request{}, bullpen.Invalid("", "the message is not a JSON object: %v", err)
	}
	switch r.Type {
	case "ping":
	case "subscribe", "unsubscribe":
		if r.Ch, err = ParseChannel(r.Channel); err != nil {
			return r, err
		}
	case "auth":
		return Request{}, bullpen.Invalid("type", "the socket is already authenticated")
	default:
		return Request{}, bullpen.Invalid("type", "%s", fmt.Sprintf("unknown message type %q (subscribe, unsubscribe, ping)", r.Type))
	}
	return r, nil
}

// memberRule says what a member of a client message must be, for one of the wrong type (or a
// number out of range).
func memberRule(field string) string {
	if field == "since" {
		return "since must be a whole number (a seq)"
	}
	return field + " must be a string"
}
