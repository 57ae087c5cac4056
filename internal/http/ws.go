package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"bullpen/internal/bullpen"
)

// SocketOptions tunes /ws. A zero field takes its default (the contract's figures where it
// gives one); tests shorten the timeouts.
type SocketOptions struct {
	AuthTimeout      time.Duration // first message must be auth within it (10 s)
	IdleTimeout      time.Duration // no message or pong for this long: 4408 (60 s)
	PingInterval     time.Duration // server pings (25 s)
	WriteTimeout     time.Duration // one frame's write; a client this slow is gone (10 s)
	QueueSize        int           // live messages waiting for one socket's writer (256)
	RateLimit        float64       // client messages per second, sustained (20)
	RateBurst        int           // client messages in a burst (50)
	PresenceInterval time.Duration // how often wall displays refresh their presence (15 s)
	DrainTimeout     time.Duration // how long shutdown waits for sockets to close (5 s)
}

func (o SocketOptions) withDefaults() SocketOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.AuthTimeout, 10*time.Second)
	def(&o.IdleTimeout, 60*time.Second)
	def(&o.PingInterval, 25*time.Second)
	def(&o.WriteTimeout, 10*time.Second)
	def(&o.PresenceInterval, 15*time.Second)
	def(&o.DrainTimeout, 5*time.Second)
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 20
	}
	if o.RateBurst <= 0 {
		o.RateBurst = 50
	}
	return o
}

// Close codes (contract §4).
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

// defaultVersion names the build when the wiring gives no version: the module version, or
// "dev" for a local build.
func defaultVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

// socketRoutes adds /ws and GET /api/v1/displays.
func (s *Server) socketRoutes(api fiber.Router) {
	s.app.Get("/ws", s.wsHandshake, websocket.New(s.serveSocket, websocket.Config{
		// Memory per socket: the library reads through fasthttp's own 4 KB connection buffer,
		// so a second large one buys nothing (client messages are small); data frames are
		// written without the library's buffer (writeBatch), and control frames need none.
		ReadBufferSize:  256,
		WriteBufferSize: 256,
		WriteBufferPool: &sync.Pool{},
		RecoverHandler:  s.recoverSocket,
	}))
	api.Get("/displays", s.allow(staffRoles...), s.listDisplays)
}

// wsHandshake checks what can be checked before upgrading: that it is an upgrade, the
// browser's origin, and that the server still takes sockets.
func (s *Server) wsHandshake(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.NewError(fiber.StatusUpgradeRequired, "GET /ws must be a WebSocket upgrade")
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.originAllowed(c, origin) {
		return bullpen.Errorf(bullpen.EPermission, "origin %s may not open sockets here (BULLPEN_ALLOWED_ORIGINS)", origin)
	}
	if !s.hub.accepting() {
		return fiber.NewError(fiber.StatusServiceUnavailable, "the server is shutting down")
	}
	dropUnusedHeaders(c)
	c.Locals(upgradeCtxKey, c.Context()) // for releaseUpgradeRequest, through the socket's locals
	return c.Next()
}

// upgradeCtxKey is the local that hands the upgrade's fasthttp context to the socket.
const upgradeCtxKey = "bullpen.upgrade"

// releaseUpgradeRequest drops what fasthttp keeps of the upgrade request and its response for
// as long as the socket lives: it hands the request's context back to its pool only when the
// hijacked connection ends, with the parsed headers (~2 KB with a browser's) and the user
// values (the WebSocket package has copied them). Nothing reads them after the upgrade:
// fasthttp does not touch the context until the socket's handler returns, then resets it, and a
// zero request and response reset like any other.
func releaseUpgradeRequest(c *websocket.Conn) {
	fctx, ok := c.Locals(upgradeCtxKey).(*fasthttp.RequestCtx)
	if !ok {
		return
	}
	fctx.Request = fasthttp.Request{}
	fctx.Response = fasthttp.Response{}
	fctx.ResetUserValues()
}

// upgradeHeaders are the request headers the upgrade reads.
var upgradeHeaders = map[string]bool{
	"Host": true, "Connection": true, "Upgrade": true, "Sec-Websocket-Key": true, "Sec-Websocket-Version": true,
}

// dropUnusedHeaders removes every other request header before the upgrade: the WebSocket
// package copies all of them into maps that live as long as the socket, and nothing reads them
// after the origin check (a browser sends a dozen: user agent, languages, cookies, ~1 KB).
func dropUnusedHeaders(c *fiber.Ctx) {
	var drop []string
	c.Request().Header.VisitAll(func(k, _ []byte) {
		if !upgradeHeaders[string(k)] {
			drop = append(drop, string(k))
		}
	})
	for _, k := range drop {
		c.Request().Header.Del(k)
	}
}

// originAllowed: a listed origin, or with no list, the server's own (scheme and Host as the
// request shows them, X-Forwarded-Proto included, so it works behind a TLS proxy).
func (s *Server) originAllowed(c *fiber.Ctx, origin string) bool {
	origin = normalizeOrigin(origin)
	if len(s.AllowedOrigins) == 0 {
		return origin == normalizeOrigin(c.Protocol()+"://"+c.Hostname())
	}
	for _, o := range s.AllowedOrigins {
		if origin == normalizeOrigin(o) {
			return true
		}
	}
	return false
}

func normalizeOrigin(o string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o), "/"))
}

func (s *Server) recoverSocket(c *websocket.Conn) {
	if v := recover(); v != nil {
		s.Logger.Error("panic in socket", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeInternal, "internal error"), time.Now().Add(time.Second))
	}
}

// serveSocket runs one socket on its own goroutine (Fiber's, after the upgrade): it reads
// and answers the client; a second goroutine writes.
func (s *Server) serveSocket(c *websocket.Conn) {
	releaseUpgradeRequest(c)
	// The hub listens for revocations from the first socket on, subscribed or not.
	if err := s.hub.start(); err != nil {
		s.Logger.Error("start the socket hub", "err", err)
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeInternal, "internal error"), time.Now().Add(time.Second))
		return
	}
	sock := newSocket(s, c.Conn)
	if !s.hub.addSocket(sock) {
		sock.cancel()
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeGoingAway, "the server is shutting down"), time.Now().Add(time.Second))
		return
	}
	defer s.hub.removeSocket(sock)
	sock.run()
}

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
	var m clientMessage
	err := json.Unmarshal(line, &m)
	if sock.token == nil {
		if err != nil || m.Type != "auth" {
			sock.close(closeUnauthenticated, "the first message must be auth")
			return
		}
		sock.authenticate(m.Token)
		return
	}
	if err != nil {
		sock.sendError(bullpen.EInvalid, "the message is not a JSON object: "+err.Error(), "")
		return
	}
	switch m.Type {
	case "ping":
		sock.send(pongMessage)
	case "subscribe":
		if err := sock.subscribe(m); err != nil {
			sock.sendErr(err, m.Channel)
		}
	case "unsubscribe":
		sock.unsubscribe(m.Channel)
	case "auth":
		sock.sendError(bullpen.EInvalid, "the socket is already authenticated", "")
	default:
		sock.sendError(bullpen.EInvalid, fmt.Sprintf("unknown message type %q (subscribe, unsubscribe, ping)", m.Type), "")
	}
}

func (sock *socket) authenticate(secret string) {
	s := sock.srv
	ctx, cancel := sock.opContext(10 * time.Second)
	defer cancel()
	t, err := s.Authenticate(ctx, secret) // one lookup for a storm of sockets with the same token
	switch {
	case err != nil && bullpen.ErrorCode(err) == bullpen.EUnauthenticated:
		sock.close(closeUnauthenticated, "bad or revoked token")
		return
	case err != nil:
		s.Logger.Error("authenticate socket", "err", err)
		sock.close(closeInternal, "internal error")
		return
	case t.Role == bullpen.RoleIngest:
		// An ingest token is valid but may not read anything: 4403, so the client does not
		// retry with it.
		sock.close(closeForbidden, "an ingest token may not open sockets")
		return
	case s.hub.revokedRecently(t.ID):
		sock.close(closeForbidden, "token revoked")
		return
	}
	sock.token = &t
	sock.authed.Store(true)
	sock.heard() // from now on the idle deadline
	sock.send(mustJSON(welcomeMessage{Type: "welcome", Role: t.Role, RepID: nullIfEmpty(t.RepID),
		ServerVersion: s.ServerVersion, ServerTime: s.Now().UTC(), Currency: s.Currency, TokenID: t.ID}))
	s.hub.authenticated(sock)
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
	sock.srv.Logger.Error("socket request failed", "channel", channel, "err", err)
	sock.sendError(bullpen.EInternal, "internal error", channel)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types are encoded here
	}
	return b
}

// Channel names (contract §4).
type channelKind int

const (
	kindFloor channelKind = iota
	kindContest
	kindRep
)

type channelRef struct {
	name string
	kind channelKind
	id   string // contest id or rep id
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
	case name == "":
		return channelRef{}, bullpen.Invalid("channel", "channel is required")
	}
	return channelRef{}, bullpen.Invalid("channel", "unknown channel %q: contest:{id}, rep:{rep_id} or floor", name)
}

// mayWatch applies the access rules: any role may watch floor and contests (ingest never
// gets this far), a rep channel only that rep, managers and admins.
func mayWatch(t bullpen.Token, ch channelRef) error {
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

// DisplayView is a connected wall display (GET /displays).
type DisplayView struct {
	TokenID     string    `json:"token_id"`
	Name        string    `json:"name"`
	ConnectedAt time.Time `json:"connected_at"`
	LastSeen    time.Time `json:"last_seen"`
	Channels    []string  `json:"channels"`
}

func (s *Server) listDisplays(c *fiber.Ctx) error {
	items, err := s.hub.displays(c.UserContext())
	if err != nil {
		return err
	}
	sort.Slice(items, func(i, j int) bool {
		if !items[i].ConnectedAt.Equal(items[j].ConnectedAt) {
			return items[i].ConnectedAt.Before(items[j].ConnectedAt)
		}
		return items[i].TokenID < items[j].TokenID
	})
	return c.JSON(list[DisplayView]{items})
}
