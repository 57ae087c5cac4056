package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"bullpen/internal/bullpen"
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

// clientMessage is any message a client sends; which fields count depends on the type.
type clientMessage struct {
	Type    string  `json:"type"`
	Token   string  `json:"token"`
	Channel string  `json:"channel"`
	Since   *int64  `json:"since"`
	Epoch   *string `json:"epoch"`
}

type welcomeMessage struct {
	Type          string       `json:"type"`
	Role          bullpen.Role `json:"role"`
	RepID         *string      `json:"rep_id"`
	ServerVersion string       `json:"server_version"`
	ServerTime    time.Time    `json:"server_time"`
	Currency      string       `json:"currency"`
	// TokenID (extension) is the token the socket runs under.
	TokenID string `json:"token_id"`
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
	r, err := readRequest(line, sock.token != nil)
	switch {
	case errors.Is(err, errFirstNotAuth):
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
		sock.unsubscribe(r.ch)
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
		ServerVersion: l.deps.ServerVersion, ServerTime: l.deps.Now().UTC(), Currency: l.deps.Currency, TokenID: t.ID}))
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

// Channel names (docs/api.md §4).
type channelKind int

const (
	kindFloor channelKind = iota
	kindContest
	kindRep
	kindTargets
)

type channelRef struct {
	name string
	kind channelKind
	id   string // contest id, rep id or team id
}

var repIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,100}$`)

func parseChannel(name string) (channelRef, error) {
	switch {
	case name == "floor":
		return channelRef{name: name, kind: kindFloor}, nil
	case strings.HasPrefix(name, "contest:") && len(name) > len("contest:") && len(name) <= 200:
		return channelRef{name: name, kind: kindContest, id: strings.TrimPrefix(name, "contest:")}, nil
	case strings.HasPrefix(name, "rep:") && repIDPattern.MatchString(strings.TrimPrefix(name, "rep:")):
		return channelRef{name: name, kind: kindRep, id: strings.TrimPrefix(name, "rep:")}, nil
	case strings.HasPrefix(name, "targets:") && len(name) > len("targets:") && utf8.RuneCountInString(name) <= len("targets:")+100:
		return channelRef{name: name, kind: kindTargets, id: strings.TrimPrefix(name, "targets:")}, nil
	case name == "":
		return channelRef{}, bullpen.Invalid("channel", "channel is required")
	}
	return channelRef{}, bullpen.Invalid("channel", "unknown channel %q: contest:{id}, rep:{rep_id}, targets:{team_id} or floor", name)
}

// mayWatch applies the access rules: any role may watch floor and contests (ingest never
// gets this far), a rep channel only that rep, managers and admins, a team's targets channel
// staff, displays and the team's reps (whose team the caller checks: teamOfRep).
func mayWatch(t bullpen.Token, ch channelRef) error {
	if ch.kind == kindTargets {
		switch t.Role {
		case bullpen.RoleAdmin, bullpen.RoleManager, bullpen.RoleDisplay, bullpen.RoleRep:
			return nil
		}
		return bullpen.Errorf(bullpen.EPermission, "a %s token may not watch %s", t.Role, ch.name)
	}
	if ch.kind != kindRep {
		return nil
	}
	switch {
	case t.Role == bullpen.RoleAdmin || t.Role == bullpen.RoleManager:
		return nil
	case t.Role == bullpen.RoleRep && t.RepID == ch.id:
		return nil
	}
	return bullpen.Errorf(bullpen.EPermission, "a %s token may not watch %s", t.Role, ch.name)
}
