package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"bullpen/internal/bullpen"
)

// RateLimiter counts requests in Redis (generic cell rate algorithm, go-redis/redis_rate), so
// every replica of the server shares one count per key.
type RateLimiter struct {
	l      *redis_rate.Limiter
	prefix string
}

// RateLimiter returns the store's limiter; its keys live under the store's prefix.
func (s *Store) RateLimiter() *RateLimiter {
	return &RateLimiter{l: redis_rate.NewLimiter(s.rdb), prefix: s.prefix + ":"}
}

// Take counts n requests against key under rate r. n = 0 counts nothing and says whether one more
// request would be allowed now.
func (l *RateLimiter) Take(ctx context.Context, key string, r bullpen.Rate, n int) (bullpen.RateDecision, error) {
	if r.Off() {
		return bullpen.RateDecision{Allowed: true}, nil
	}
	limit := redis_rate.Limit{Rate: r.Count, Burst: r.Count, Period: r.Per}
	res, err := l.l.AllowN(ctx, l.prefix+key, limit, n)
	if err != nil {
		return bullpen.RateDecision{}, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if n == 0 {
		// The script counts nothing and reports what is left: less than one request is a refusal,
		// for about one emission interval.
		if res.Remaining >= 1 {
			return bullpen.RateDecision{Allowed: true}, nil
		}
		return bullpen.RateDecision{RetryAfter: r.Per / time.Duration(r.Count)}, nil
	}
	if res.Allowed >= n {
		return bullpen.RateDecision{Allowed: true}, nil
	}
	return bullpen.RateDecision{RetryAfter: res.RetryAfter}, nil
}

// TakeAtMost counts up to n requests against key under rate r, as many as the limit has left,
// and returns how many it counted: a lease of requests its caller spends without asking again.
// None counted is a refusal until RetryAfter has passed.
func (l *RateLimiter) TakeAtMost(ctx context.Context, key string, r bullpen.Rate, n int) (int, bullpen.RateDecision, error) {
	if r.Off() {
		return n, bullpen.RateDecision{Allowed: true}, nil
	}
	limit := redis_rate.Limit{Rate: r.Count, Burst: r.Count, Period: r.Per}
	res, err := l.l.AllowAtMost(ctx, l.prefix+key, limit, n)
	if err != nil {
		return 0, bullpen.RateDecision{}, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if res.Allowed < 1 {
		return 0, bullpen.RateDecision{RetryAfter: res.RetryAfter}, nil
	}
	return res.Allowed, bullpen.RateDecision{Allowed: true}, nil
}
