package http

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"bullpen/internal/event"
	"bullpen/internal/pace"
)

// Producer writes deal events to the input topic.
type Producer interface {
	Produce(ctx context.Context, msgs ...event.Record) error
}

// Deps is what the server needs. AdminToken and Currency come from the configuration; the
// use-cases and reads are built in internal/app from the adapters.
type Deps struct {
	// The write use-cases (internal/service).
	Contests    ContestService
	Tokens      TokenService
	Incentives  IncentiveService
	Adjustments AdjustmentService
	Targets     TargetService
	// Achievements sets the badge rules.
	Achievements AchievementService
	Events       EventService // built on Producer
	Webhooks     WebhookService
	Screens      ScreenService
	Pairings     PairingService

	// What the read endpoints, the middleware and the sockets' snapshots read.
	ContestReader   ContestReader
	TokenReader     TokenReader
	IncentiveReader IncentiveReader
	RepReader       RepReader
	LedgerReader    LedgerReader
	CoachingReader  CoachingReader
	IdempotencyKeys IdempotencyKeys
	Boards          Boards
	RepCache        RepCache
	BalanceCache    BalanceCache
	// RepViews reads a rep's page from the projection at once.
	RepViews     RepViews
	TargetReader TargetReader
	// AttainmentReader reads attainment from the projection.
	AttainmentReader AttainmentReader
	AuditReader      AuditReader
	// AchievementReader reads the badge rules and reps' badges.
	AchievementReader AchievementReader
	WebhookReader     WebhookReader
	ScreenReader      ScreenReader
	// BoardNotices tells every node that a contest's board or rules changed; nil: the
	// leaderboard's pages are not cached.
	BoardNotices BoardNotices
	Ready        []Dependency // what /readyz checks, in order

	// Calendar is the selling time pace counts (docs/api.md §6 "Pace"); nil: the leaderboard
	// shows no pace. Its time zone (BULLPEN_TIMEZONE; UTC without one) is also where the local
	// dates of a coaching query fall.
	Calendar *pace.Calendar

	Limits // request limits; a nil RateLimiter limits nothing

	// History and exports: past boards, reps' places, and the CSV streams.
	HistoryReader HistoryReader
	Exporter      Exporter

	Producer   Producer
	AdminToken string
	Currency   string
	Timezone   string // BULLPEN_TIMEZONE: the time zone of a new target set that names none
	Logger     *slog.Logger
	Now        func() time.Time // default time.Now
	// OnRevoke is called after a token is revoked, to close its open sockets.
	OnRevoke func(tokenID string)

	// WebhookAllowPrivate lets webhook URLs resolve to loopback, private and link-local
	// addresses (BULLPEN_WEBHOOK_ALLOW_PRIVATE).
	WebhookAllowPrivate bool

	// MetricsElsewhere: /metrics is served on an address of its own (BULLPEN_METRICS_ADDR,
	// Registry), not by this app.
	MetricsElsewhere bool

	// FrameAncestors are the origins that may frame the wall display (BULLPEN_FRAME_ANCESTORS);
	// none: no page may be framed.
	FrameAncestors []string

	// TrustedProxies are the proxies whose X-Forwarded-For names the client's address
	// (BULLPEN_TRUSTED_PROXIES; clientaddr.go).
	TrustedProxies []netip.Prefix
}
