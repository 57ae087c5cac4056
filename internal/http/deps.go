package http

import (
	"context"
	"log/slog"
	"time"

	"bullpen/internal/kafka"
	"bullpen/internal/postgres"
	"bullpen/internal/redis"
	"bullpen/internal/service"
)

// Producer writes deal events to the input topic.
type Producer interface {
	Produce(ctx context.Context, msgs ...kafka.Message) error
}

// Deps is what the server needs. AdminToken and Currency come from the configuration; the
// use-cases and reads are built in internal/app from the adapters.
type Deps struct {
	// The write use-cases (internal/service).
	Contests    ContestService
	Tokens      TokenService
	Incentives  IncentiveService
	Adjustments AdjustmentService

	// What the read endpoints and the middleware read.
	ContestReader   ContestReader
	TokenReader     TokenReader
	IncentiveReader IncentiveReader
	RepReader       RepReader
	LedgerReader    LedgerReader
	IdempotencyKeys IdempotencyKeys
	Boards          Boards
	RepCache        RepCache
	BalanceCache    BalanceCache
	Ready           []Dependency // what /readyz checks, in order

	// DB and Store are for the socket subsystem (ws*.go) alone, until it has narrow interfaces
	// of its own; the REST handlers never use them.
	DB    *postgres.DB
	Store *redis.Store

	Producer   Producer
	AdminToken string
	Currency   string
	Logger     *slog.Logger
	Now        func() time.Time // default time.Now
	// OnRevoke is called after a token is revoked, to close its open sockets.
	OnRevoke func(tokenID string)

	// Sockets (/ws): the browser origins allowed to open one (none: the server's own), the
	// version a welcome carries (default: the build's), and the socket timings and limits.
	AllowedOrigins []string
	ServerVersion  string
	Sockets        SocketOptions
}

// fillFromStores builds on DB and Store whatever use-case or read d was given without, so a
// server built with only those two (as the socket tests build theirs) still serves the whole
// API. internal/app wires every field itself; this goes when DB and Store leave Deps.
func (d *Deps) fillFromStores() {
	if db := d.DB; db != nil {
		if d.Contests == nil && d.Store != nil {
			d.Contests = service.NewContests(service.ContestDeps{Store: db, Boards: d.Store, Logger: d.Logger, Now: d.Now})
		}
		if d.Tokens == nil {
			d.Tokens = service.NewTokens(service.TokenDeps{Store: db})
		}
		if d.Incentives == nil {
			d.Incentives = service.NewIncentives(service.IncentiveDeps{Store: db, Now: d.Now})
		}
		if d.Adjustments == nil && d.Store != nil {
			d.Adjustments = service.NewLedger(service.LedgerDeps{Store: db, Balances: d.Store, Logger: d.Logger})
		}
		d.ContestReader = or[ContestReader](d.ContestReader, db)
		d.TokenReader = or[TokenReader](d.TokenReader, db)
		d.IncentiveReader = or[IncentiveReader](d.IncentiveReader, db)
		d.RepReader = or[RepReader](d.RepReader, db)
		d.LedgerReader = or[LedgerReader](d.LedgerReader, db)
		d.IdempotencyKeys = or[IdempotencyKeys](d.IdempotencyKeys, db)
	}
	if store := d.Store; store != nil {
		d.Boards = or[Boards](d.Boards, store)
		d.RepCache = or[RepCache](d.RepCache, store)
		d.BalanceCache = or[BalanceCache](d.BalanceCache, store)
	}
	if d.Ready == nil && d.DB != nil && d.Store != nil {
		d.Ready = []Dependency{{Name: "postgresql", Pinger: d.DB}, {Name: "redis", Pinger: d.Store}}
	}
}

// or is v, or else fallback when v is nil.
func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}
