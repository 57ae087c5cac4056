package live

import (
	"encoding/json"
	"errors"
	"fmt"

	"bullpen/internal/bullpen"
)

// request is a client message read and checked before it touches the socket's state: its type
// is one the protocol knows, and a channel it names is a channel name.
type request struct {
	clientMessage
	ch channelRef // subscribe, unsubscribe
}

// errFirstNotAuth: before a socket has authenticated, anything but auth closes it with 4401.
var errFirstNotAuth = errors.New("the first message must be auth")

// readRequest reads one client message. authed says whether the socket has authenticated. A
// refusal is errFirstNotAuth or an invalid_request error to send back (r.Channel names the
// channel it concerns, when the message named one).
func readRequest(line []byte, authed bool) (request, error) {
	var r request
	err := json.Unmarshal(line, &r.clientMessage)
	if !authed {
		if err != nil || r.Type != "auth" {
			return r, errFirstNotAuth
		}
		return r, nil
	}
	if err != nil {
		return request{}, bullpen.Invalid("", "the message is not a JSON object: %v", err)
	}
	switch r.Type {
	case "ping":
	case "subscribe", "unsubscribe":
		if r.ch, err = parseChannel(r.Channel); err != nil {
			return r, err
		}
	case "auth":
		return request{}, bullpen.Invalid("", "the socket is already authenticated")
	default:
		return request{}, bullpen.Invalid("", "%s", fmt.Sprintf("unknown message type %q (subscribe, unsubscribe, ping)", r.Type))
	}
	return r, nil
}
