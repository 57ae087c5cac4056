package live

import (
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"bullpen/internal/bullpen"
)

// Handler serves GET /ws: it checks the upgrade request, upgrades, and runs the socket.
func (l *Live) Handler() fiber.Handler {
	upgrade := websocket.New(l.serveSocket, websocket.Config{
		// Memory per socket: the library reads through fasthttp's own 4 KB connection buffer,
		// so a second large one buys nothing (client messages are small); data frames are
		// written without the library's buffer (writeBatch), and control frames need none.
		ReadBufferSize:  256,
		WriteBufferSize: 256,
		WriteBufferPool: &sync.Pool{},
		RecoverHandler:  l.recoverSocket,
	})
	return func(c *fiber.Ctx) error {
		if err := l.handshake(c); err != nil {
			return err
		}
		return upgrade(c)
	}
}

// handshake checks what can be checked before upgrading: that it is an upgrade, the
// browser's origin, and that the server still takes sockets.
func (l *Live) handshake(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.NewError(fiber.StatusUpgradeRequired, "GET /ws must be a WebSocket upgrade")
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !l.originAllowed(c, origin) {
		return bullpen.Errorf(bullpen.EPermission, "origin %s may not open sockets here (BULLPEN_ALLOWED_ORIGINS)", origin)
	}
	if !l.sockets.accepting() {
		return fiber.NewError(fiber.StatusServiceUnavailable, "the server is shutting down")
	}
	dropUnusedHeaders(c)
	c.Locals(upgradeCtxKey, c.Context()) // for releaseUpgradeRequest, through the socket's locals
	return nil
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
func (l *Live) originAllowed(c *fiber.Ctx, origin string) bool {
	origin = normalizeOrigin(origin)
	if len(l.deps.AllowedOrigins) == 0 {
		return origin == normalizeOrigin(c.Protocol()+"://"+c.Hostname())
	}
	for _, o := range l.deps.AllowedOrigins {
		if origin == normalizeOrigin(o) {
			return true
		}
	}
	return false
}

func normalizeOrigin(o string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o), "/"))
}

func (l *Live) recoverSocket(c *websocket.Conn) {
	if v := recover(); v != nil {
		l.logger.Error("panic in socket", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeInternal, "internal error"), time.Now().Add(time.Second))
	}
}

// serveSocket runs one socket on its own goroutine (Fiber's, after the upgrade): it reads
// and answers the client; a second goroutine writes.
func (l *Live) serveSocket(c *websocket.Conn) {
	releaseUpgradeRequest(c)
	// The node listens for revocations from the first socket on, subscribed or not.
	if err := l.start(); err != nil {
		l.logger.Error("start the socket subsystem", "err", err)
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeInternal, "internal error"), time.Now().Add(time.Second))
		return
	}
	sock := newSocket(l, c.Conn)
	if !l.sockets.add(sock) {
		sock.cancel()
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeGoingAway, "the server is shutting down"), time.Now().Add(time.Second))
		return
	}
	defer l.remove(sock)
	sock.run()
}

// remove forgets a finished socket: its subscriptions (and a channel's subscription to the
// log with its last local watcher) and its presence.
func (l *Live) remove(sock *socket) {
	sock.mu.Lock()
	subs := make([]*subscription, 0, len(sock.subs))
	for _, sub := range sock.subs {
		subs = append(subs, sub)
	}
	sock.subs = map[string]*subscription{}
	sock.mu.Unlock()
	for _, sub := range subs {
		l.channels.unwatch(sub)
	}
	l.presence.leave(sock)
	sock.expireAt(nil)
	l.sockets.remove(sock)
}
