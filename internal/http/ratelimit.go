package http

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

// RateLimiter counts requests per key in a window every replica shares (the Redis adapter).
// n = 0 counts nothing and says whether one more request would pass.
type RateLimiter interface {
	Take(ctx context.Context, key string, r bullpen.Rate, n int) (bullpen.RateDecision, error)
	// TakeAtMost counts up to n requests, as many as the limit has left, and says how many:
	// a lease (ratelease.go). None is a refusal.
	TakeAtMost(ctx context.Context, key string, r bullpen.Rate, n int) (int, bullpen.RateDecision, error)
}

// Limits are the API's request limits: per token, and per client address for requests whose
// token is refused (guessing tokens costs a few tries a minute, not a database read each).
type Limits struct {
	PerToken     bullpen.Rate
	AuthFailures bullpen.Rate
	RateLimiter  RateLimiter
}

// limited answers 429 rate_limited with Retry-After in whole seconds (at least 1).
func limited(c *fiber.Ctx, d bullpen.RateDecision, what string) error {
	secs := int(math.Ceil(d.RetryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return bullpen.Errorf(bullpen.ERateLimited, "too many requests %s: retry after %d s", what, secs)
}

// take asks the limiter; a limiter that does not answer lets the request through (logged):
// Redis down must not take the API down with it.
func (s *Server) take(c *fiber.Ctx, key string, r bullpen.Rate, n int) bullpen.RateDecision {
	return s.takeCtx(c.UserContext(), key, r, n)
}

func (s *Server) takeCtx(ctx context.Context, key string, r bullpen.Rate, n int) bullpen.RateDecision {
	if s.RateLimiter == nil || r.Off() {
		return bullpen.RateDecision{Allowed: true}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	d, err := s.RateLimiter.Take(ctx, key, r, n)
	if err != nil {
		s.notChecked(key, 1, err)
		return bullpen.RateDecision{Allowed: true}
	}
	return d
}

// uncheckedEvery is how often a limiter that does not answer is logged: Redis gone under load
// is a line every 10 s with the count, not a line per request (bullpen_rate_limit_unchecked_total
// counts each).
const uncheckedEvery = 10 * time.Second

type uncheckedLog struct {
	mu     sync.Mutex
	last   time.Time
	missed int // requests let through unchecked since the last line
}

// notChecked counts n requests let through because the limiter did not answer, and logs them
// with those since the last line, at most once per uncheckedEvery.
func (s *Server) notChecked(key string, n int, err error) {
	s.metrics.unchecked.Add(float64(n))
	u := &s.unchecked
	now := s.Now()
	u.mu.Lock()
	u.missed += n
	if !u.last.IsZero() && now.Sub(u.last) < uncheckedEvery {
		u.mu.Unlock()
		return
	}
	missed := u.missed
	u.last, u.missed = now, 0
	u.mu.Unlock()
	s.Logger.Warn("rate limit not checked", "key", key, "err", err, "requests", missed, "since", uncheckedEvery)
}

func (s *Server) failuresKey(c *fiber.Ctx) string { return "authfail:" + s.clientAddr(c) }
