package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/live/wire"
)

// Close codes (docs/api.md §4).
const (
	closeGoingAway       = 1001
	closeTooBig          = 1009
	closeInternal        = 1011
	closeUnauthenticated = 4401
	closeForbidden       = 4403
	closeSlow            = 4408
	closeRateLimited     = 4429
)

const (
	// maxClientMessage is the largest message a client may send; larger is closed with 1009.
	maxClientMessage = 64 << 10
	// maxFrame is where the writer starts a new frame when packing queued messages.
	maxFrame = 64 << 10
	// maxChannels bounds what one socket may watch.
	maxChannels = 100
	// snapshotRows is the top of a board a contest snapshot carries, like its updates.
	snapshotRows = 50
	// floorItems is how many of the floor's latest messages its snapshot holds.
	floorItems = 20
)

type welcomeMessage struct {
	Type          string       `json:"type"`
	Role          bullpen.Role `json:"role"`
	RepID         *string      `json:"rep_id"`
	ServerVersion string       `json:"server_version"`
	ServerTime    time.Time    `json:"server_time"`
	Currency      string       `json:"currency"`
	// TokenID (extension) is the token the socket runs under.
	TokenID string `json:"token_id"`
	// ScreenID (extension) is the screen a display token is bound to; absent for none.
	ScreenID string `json:"screen_id,omitempty"`
}

type errorMessage struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Channel string `json:"channel,omitempty"`
}

var pongMessage = []byte(`{"type":"pong"}`)

// handleFrame handles every message of one client frame (one per line).
func (sock *socket) handleFrame(data []byte) {
	for len(data) > 0 && !sock.isClosing() {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !sock.allowMessage() {
			sock.close(closeRateLimited, "over the message rate limit")
			return
		}
		sock.handleMessage(line)
	}
}

func (sock *socket) handleMessage(line []byte) {
	r, err := wire.ReadRequest(line, sock.token != nil)
	switch {
	case errors.Is(err, wire.ErrFirstNotAuth):
		sock.close(closeUnauthenticated, "the first message must be auth")
		return
	case err != nil:
		sock.sendErr(err, r.Channel)
		return
	}
	switch r.Type {
	case "auth":
		sock.authenticate(r.Token)
	case "ping":
		sock.send(pongMessage)
	case "subscribe":
		if err := sock.subscribe(r); err != nil {
			sock.sendErr(err, r.Channel)
		}
	case "unsubscribe":
		sock.unsubscribe(r.Ch)
	}
}

func (sock *socket) authenticate(secret string) {
	l := sock.l
	ctx, cancel := sock.opContext(10 * time.Second)
	defer cancel()
	if secret == "" {
		sock.close(closeUnauthenticated, "a token is required")
		return
	}
	h := bullpen.HashSecret(secret)
	t, err := l.deps.Tokens.AuthenticateHash(ctx, h) // one lookup for a storm of sockets with the same token
	switch {
	case err != nil && bullpen.ErrorCode(err) == bullpen.EUnauthenticated:
		sock.close(closeUnauthenticated, "bad, revoked or expired token")
		return
	case err != nil:
		l.logger.Error("authenticate socket", "err", err)
		sock.close(closeInternal, "internal error")
		return
	case t.Role == bullpen.RoleIngest:
		// An ingest token is valid but may not read anything: 4403, so the client does not
		// retry with it.
		sock.close(closeForbidden, "an ingest token may not open sockets")
		return
	case l.revoked.recently(t.ID):
		sock.close(closeForbidden, "token revoked")
		return
	}
	sock.token, sock.secret = &t, h
	sock.authed.Store(true)
	sock.expireAt(t.SecretUntil)
	if l.revoked.rotatedLately(t.ID) {
		// Its read may have raced the rotation: read it again, as the rotation's sockets were.
		go l.revoked.recheck([]*socket{sock})
	}
	sock.heard() // from now on the idle deadline
	sock.send(mustJSON(welcomeMessage{Type: "welcome", Role: t.Role, RepID: nullIfEmpty(t.RepID),
		ServerVersion: l.deps.ServerVersion, ServerTime: l.deps.Now().UTC(), Currency: l.deps.Currency, TokenID: t.ID,
		ScreenID: t.ScreenID}))
	l.presence.mark(sock) // a display appears in the list
}

func (sock *socket) sendError(code, message, channel string) {
	sock.send(mustJSON(errorMessage{Type: "error", Code: code, Message: message, Channel: channel}))
}

// sendErr reports err to the client; an error without a code is logged and shown as internal.
func (sock *socket) sendErr(err error, channel string) {
	var be *bullpen.Error
	if errors.As(err, &be) {
		sock.sendError(be.Code, be.Message, channel)
		return
	}
	sock.l.logger.Error("socket request failed", "channel", channel, "err", err)
	sock.sendError(bullpen.EInternal, "internal error", channel)
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types are encoded here
	}
	return b
}
