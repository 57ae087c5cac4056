package app

import (
	"context"
	"log/slog"

	httpapi "bullpen/internal/http"
	"bullpen/internal/kafka"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/service"
	"bullpen/internal/webhook"
)

// APIDeps completes d with the API's write use-cases and reads, built on the ledger (db) and
// the live projection (store); d brings the configuration, the producer and the process's
// logger, of which the API and the use-cases each get a child naming their component. The
// HTTP tests build their server with it too, so they run this wiring.
func APIDeps(d httpapi.Deps, db *postgres.DB, store *redis.Store) httpapi.Deps {
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	d.Logger = log.With("component", "http")
	services := log.With("component", "service")
	d.Contests = service.NewContests(service.ContestDeps{Store: db, Boards: store, Logger: services, Now: d.Now})
	d.Tokens = service.NewTokens(service.TokenDeps{Store: db, Now: d.Now})
	d.Incentives = service.NewIncentives(service.IncentiveDeps{Store: db, Now: d.Now})
	d.Adjustments = service.NewLedger(service.LedgerDeps{Store: db, Balances: store, Logger: services})
	d.Targets = service.NewTargets(service.TargetDeps{Store: db, Projection: store, Timezone: d.Timezone, Logger: services})
	d.Achievements = service.NewAchievements(db)
	d.Events = service.NewEvents(service.EventDeps{Producer: d.Producer, Trail: db})
	d.Webhooks = service.NewWebhooks(service.WebhookDeps{Store: db, Guard: webhook.Guard{AllowPrivate: d.WebhookAllowPrivate}, Now: d.Now})
	d.Screens = service.NewScreens(db)
	d.Pairings = service.NewPairings(db, postgres.ErrCodeTaken, d.Now)

	d.ContestReader, d.TokenReader, d.IncentiveReader = db, db, db
	d.RepReader, d.LedgerReader, d.IdempotencyKeys = db, db, db
	d.CoachingReader = db
	d.Boards, d.RepCache, d.BalanceCache, d.RepViews = store, store, store, store
	d.TargetReader, d.AttainmentReader = db, store
	d.HistoryReader, d.Exporter = db, db
	d.AuditReader, d.AchievementReader, d.WebhookReader, d.ScreenReader = db, db, db, db
	d.BoardNotices = boardNotices{store}
	if d.RateLimiter == nil {
		d.RateLimiter = store.RateLimiter()
	}
	d.Ready = []httpapi.Dependency{{Name: "postgresql", Pinger: db}, {Name: "redis", Pinger: store}}
	return d
}

// The adapters implement what the use-cases and the handlers declare they need.
var (
	_ service.ContestStore         = (*postgres.DB)(nil)
	_ service.BoardLoader          = (*redis.Store)(nil)
	_ service.TokenStore           = (*postgres.DB)(nil)
	_ service.IncentiveStore       = (*postgres.DB)(nil)
	_ service.LedgerStore          = (*postgres.DB)(nil)
	_ service.BalanceWriter        = (*redis.Store)(nil)
	_ service.TargetStore          = (*postgres.DB)(nil)
	_ service.AttainmentProjection = (*redis.Store)(nil)
	_ service.Trail                = (*postgres.DB)(nil)
	_ service.AchievementStore     = (*postgres.DB)(nil)
	_ service.ScreenStore          = (*postgres.DB)(nil)
	_ service.PairingStore         = (*postgres.DB)(nil)
	_ service.EventProducer        = (*kafka.Producer)(nil)
	_ service.WebhookStore         = (*postgres.DB)(nil)

	_ httpapi.ContestService     = (*service.Contests)(nil)
	_ httpapi.TokenService       = (*service.Tokens)(nil)
	_ httpapi.IncentiveService   = (*service.Incentives)(nil)
	_ httpapi.AdjustmentService  = (*service.Ledger)(nil)
	_ httpapi.TargetService      = (*service.Targets)(nil)
	_ httpapi.EventService       = (*service.Events)(nil)
	_ httpapi.AchievementService = (*service.Achievements)(nil)
	_ httpapi.WebhookService     = (*service.Webhooks)(nil)
	_ httpapi.ScreenService      = (*service.Screens)(nil)
	_ httpapi.PairingService     = (*service.Pairings)(nil)

	_ httpapi.ContestReader     = (*postgres.DB)(nil)
	_ httpapi.TokenReader       = (*postgres.DB)(nil)
	_ httpapi.IncentiveReader   = (*postgres.DB)(nil)
	_ httpapi.RepReader         = (*postgres.DB)(nil)
	_ httpapi.LedgerReader      = (*postgres.DB)(nil)
	_ httpapi.CoachingReader    = (*postgres.DB)(nil)
	_ httpapi.IdempotencyKeys   = (*postgres.DB)(nil)
	_ httpapi.Pinger            = (*postgres.DB)(nil)
	_ httpapi.Boards            = (*redis.Store)(nil)
	_ httpapi.RepCache          = (*redis.Store)(nil)
	_ httpapi.BalanceCache      = (*redis.Store)(nil)
	_ httpapi.RepViews          = (*redis.Store)(nil)
	_ httpapi.TargetReader      = (*postgres.DB)(nil)
	_ httpapi.AttainmentReader  = (*redis.Store)(nil)
	_ httpapi.HistoryReader     = (*postgres.DB)(nil)
	_ httpapi.Exporter          = (*postgres.DB)(nil)
	_ httpapi.AuditReader       = (*postgres.DB)(nil)
	_ httpapi.AchievementReader = (*postgres.DB)(nil)
	_ httpapi.WebhookReader     = (*postgres.DB)(nil)
	_ httpapi.ScreenReader      = (*postgres.DB)(nil)
	_ httpapi.Pinger            = (*redis.Store)(nil)
	_ httpapi.RateLimiter       = (*redis.RateLimiter)(nil)
	_ httpapi.BoardNotices      = boardNotices{}
	_ httpapi.BoardFeed         = (*redis.BoardNotices)(nil)
	_ httpapi.Producer          = (*kafka.Producer)(nil)
)

// boardNotices is the Redis store as the API's board notices: its feed, a Redis type, is
// handed over as the API's interface.
type boardNotices struct{ *redis.Store }

func (n boardNotices) ListenBoards(ctx context.Context) (httpapi.BoardFeed, error) {
	feed, err := n.Store.ListenBoards(ctx)
	if err != nil {
		return nil, err
	}
	return feed, nil
}
