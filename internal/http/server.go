// Package http is the server's REST API (docs/api.md §3) on Fiber, plus /healthz, /readyz and
// /metrics. Handlers decode, call a use-case of internal/service or a read interface declared
// beside them, and encode: they know no adapter.
package http

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"golang.org/x/sync/singleflight"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// Dependency is one thing /readyz checks, by the name it reports when it does not answer.
type Dependency struct {
	Name   string
	Pinger Pinger
}

// Pinger answers when its dependency is reachable.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server is the HTTP API.
type Server struct {
	Deps
	app     *fiber.App
	api     fiber.Router // /api/v1, behind authentication
	metrics *metrics
	purged  purgeClock
	sockets Sockets // the live subsystem, once mounted (MountSockets)
	// The tokens this node knows (tokens.go: a revocation drops one here at once, on other
	// replicas within tokenTTL); a contest for contestTTL.
	tokens tokenMemory
	// authFlight shares one token lookup among the requests and sockets asking at once.
	authFlight singleflight.Group
	// touches are the tokens whose use is yet to be written (touch.go).
	touches  touches
	contests *ttlCache[string, *contest.Contest]     // a cache: the use-cases are Deps.Contests
	open     *ttlCache[struct{}, []*contest.Contest] // the open contests, as contests
	// contestFlight shares one contest read among the requests and sockets asking at once.
	contestFlight singleflight.Group
	// Encoded leaderboard pages for boardMaxAge, dropped when the node hears of a change
	// (feed); boardFlight shares one read among the requests that miss the same page at once.
	boards      *boardCache
	feed        boardFeed
	boardFlight singleflight.Group
	// The current target sets for targetsMaxAge, dropped when targets are written here;
	// targetFlight shares one read among the requests and sockets asking at once.
	targets      *ttlCache[struct{}, *currentTargets]
	targetFlight singleflight.Group
	// balanceReads reads the balances the projection lacks from the ledger, in batches
	// (balances.go).
	balanceReads balanceReads
	exportSlots  chan struct{} // the exports streaming now (maxExports)
	adminHash    []byte        // the bootstrap admin token's hash, once (nil without one)
	unchecked    uncheckedLog  // requests the limiter did not answer for (ratelimit.go)
	leases       leases        // the per-token limit's requests in hand (ratelease.go)
	addrChecks   addrChecks    // what the refused-token limit said of each address lately (authfail.go)
}

const (
	tokenTTL   = 5 * time.Second
	contestTTL = 2 * time.Second
	// boardMaxAge is the most a leaderboard page is served from the node's cache; a page of a
	// board that changed is dropped when the node hears of it, mostly well before.
	boardMaxAge     = time.Second
	boardCacheBytes = 32 << 20
	// targetsMaxAge is the most a write of targets through another replica takes to show on
	// a rep's page here.
	targetsMaxAge = 2 * time.Second
)

// maxBody fits a batch of 10,000 events with room to spare.
const maxBody = 16 << 20

// New builds the API on a new Fiber app.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{Deps: d, metrics: newMetrics(),
		contests: newTTLCache[string, *contest.Contest](contestTTL, 10_000),
		open:     newTTLCache[struct{}, []*contest.Contest](contestTTL, 1), boards: newBoardCache(boardMaxAge, boardCacheBytes),
		targets: newTTLCache[struct{}, *currentTargets](targetsMaxAge, 1)}
	s.exportSlots = make(chan struct{}, maxExports)
	if d.AdminToken != "" {
		s.adminHash = bullpen.HashSecret(d.AdminToken)
	}
	// A revoked token's sockets close on every node (the live subsystem tells the others).
	onRevoke := d.OnRevoke
	s.OnRevoke = func(tokenID string) {
		s.ForgetToken(tokenID)
		if s.sockets != nil {
			s.sockets.Revoke(tokenID)
		}
		if onRevoke != nil {
			onRevoke(tokenID)
		}
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "bullpen",
		ErrorHandler:          s.handleError,
		BodyLimit:             maxBody,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		// A connection's 4 KB read buffer goes back to the pool once a request is read, so a
		// WebSocket (hijacked right after its upgrade request) does not keep one for its life.
		ReduceMemoryUsage: true,
		// A response of up to 16 KB goes out in one write (the writer, too, goes back to the
		// pool after each response): a leaderboard page of 50 rows is 7–9 KB, which
		// fasthttp's default 4 KB buffer sent in two or three writes.
		WriteBufferSize: 16 << 10,
	})
	s.app.Use(s.observe, recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}), withTimeout)
	s.app.Use(securityHeaders(d.FrameAncestors))
	s.routes()
	return s
}

// requestTimeout bounds the storage calls of one request, so a stuck dependency frees the
// request instead of piling them up.
const requestTimeout = 30 * time.Second

func withTimeout(c *fiber.Ctx) error {
	if websocket.IsWebSocketUpgrade(c) {
		// A socket is not one request: it bounds each of its own (opContext), and a deadline
		// here would stay in its locals for its life.
		return c.Next()
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

func (s *Server) logPanic(c *fiber.Ctx, v any) {
	s.Logger.Error("panic", "method", c.Method(), "route", c.Route().Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
}

// App is the Fiber app, for the parts of the server that add their own routes (sockets, pages).
func (s *Server) App() *fiber.App { return s.app }

func (s *Server) routes() {
	s.app.Get(HealthPath, s.healthz)
	s.app.Get(ReadyPath, s.readyz)
	if !s.MetricsElsewhere {
		s.app.Get(MetricsPath, s.metrics.handler())
	}

	anyone := s.allow(anyRole...)
	staff := s.allow(staffRoles...)
	s.app.Get("/api/v1/openapi.json", s.openAPI) // before the group: public, no token
	// A display without a token pairs by code: it starts a pairing and polls it, with no token.
	s.app.Post("/api/v1/pairings", s.checkBody, s.startPairing)
	s.app.Post("/api/v1/pairings/collect", s.checkBody, s.collectPairing)
	api := s.app.Group("/api/v1", s.authenticate, s.checkBody)

	api.Get("/me", anyone, s.me)
	api.Post("/tokens", staff, s.idempotent, s.createToken)
	api.Get("/tokens", staff, s.listTokens)
	api.Delete("/tokens/:id", staff, s.revokeToken)
	api.Post("/tokens/:id/rotate", staff, s.idempotent, s.rotateToken)

	api.Post("/events", s.allow(ingestRoles...), s.idempotent, s.postEvents)

	api.Post("/contests", staff, s.idempotent, s.createContest)
	api.Get("/contests", anyone, s.listContests)
	api.Get("/contests/:id", anyone, s.getContest)
	api.Patch("/contests/:id", staff, s.patchContest)
	api.Post("/contests/:id/end", staff, s.endContest)
	api.Post("/contests/:id/cancel", staff, s.cancelContest)
	api.Get("/contests/:id/leaderboard", anyone, s.leaderboard)
	api.Get("/contests/:id/periods", anyone, s.contestPeriods)

	api.Post("/incentives", staff, s.idempotent, s.createIncentive)
	api.Get("/incentives", anyone, s.listIncentives)
	api.Get("/incentives/:id", anyone, s.getIncentive)
	api.Post("/incentives/:id/end", staff, s.endIncentive)

	api.Get("/reps", anyone, s.listReps)
	api.Get("/reps/:id", anyone, s.getRep)
	api.Get("/reps/:id/ledger", anyone, s.repLedger)
	api.Post("/reps/:id/adjustments", staff, s.idempotent, s.postAdjustment)
	api.Get("/reps/:id/history", anyone, s.repHistory)

	api.Get("/exports/standings.csv", staff, s.exportStandings)
	api.Get("/exports/ledger.csv", staff, s.exportLedger)
	api.Get("/exports/incentive-winners.csv", staff, s.exportWinners)
	api.Get("/exports/attainment.csv", staff, s.exportAttainment)
	api.Get("/reps/:id/coaching", anyone, s.repCoaching)
	api.Get("/teams/:id/coaching", staff, s.teamCoaching)

	api.Put("/targets", staff, s.putTargets)
	api.Get("/targets", anyone, s.listTargets)
	api.Delete("/targets", staff, s.deleteTarget)

	api.Get("/audit", staff, s.listAudit)

	api.Get("/achievements", anyone, s.getAchievementRules)
	api.Put("/achievements", staff, s.putAchievementRules)
	api.Get("/reps/:id/achievements", anyone, s.repAchievements)
	api.Post("/webhooks", staff, s.idempotent, s.createWebhook)
	api.Get("/webhooks", staff, s.listWebhooks)
	api.Get("/webhooks/:id", staff, s.getWebhook)
	api.Patch("/webhooks/:id", staff, s.patchWebhook)
	api.Delete("/webhooks/:id", staff, s.deleteWebhook)
	api.Get("/webhooks/:id/deliveries", staff, s.webhookDeliveries)
	api.Post("/webhooks/:id/test", staff, s.testWebhook)
	api.Post("/webhooks/:id/rotate", staff, s.rotateWebhook)
	api.Get("/screens", staff, s.listScreens)
	api.Post("/screens", staff, s.idempotent, s.createScreen)
	api.Get("/screens/:id", staff, s.getScreen)
	api.Put("/screens/:id", staff, s.putScreen)
	api.Delete("/screens/:id", staff, s.deleteScreen)
	api.Post("/pairings/claim", staff, s.claimPairing)
	s.api = api
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	down := []string{}
	for _, dep := range s.Ready {
		if err := dep.Pinger.Ping(ctx); err != nil {
			s.Logger.Error("readyz: "+dep.Name, "err", err)
			down = append(down, dep.Name)
		}
	}
	if len(down) > 0 {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "down": down})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}
