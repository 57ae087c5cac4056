package http

import (
	"bytes"
	"context"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

const (
	idempotencyHeader = "Idempotency-Key"
	// idempotencyTTL is how long a response is kept for its key (docs/api.md §3: 24 h).
	idempotencyTTL = 24 * time.Hour
	// idempotencyStale is when a key whose request never finished (a crash) may be used again.
	idempotencyStale = 5 * time.Minute
)

// IdempotencyKeys keeps the responses given to Idempotency-Keys.
type IdempotencyKeys interface {
	// ClaimIdempotencyKey makes the caller the owner of (tokenID, key), unless a response to it
	// is kept (younger than ttl) or a request holding it is running (younger than stale). When
	// not claimed it returns the kept response; nil means the owner just gave the key up.
	ClaimIdempotencyKey(ctx context.Context, tokenID, key, method, path string, ttl, stale time.Duration) (bool, *bullpen.IdempotentResponse, error)
	SaveIdempotentResponse(ctx context.Context, tokenID, key string, status int, body []byte) error
	// ReleaseIdempotencyKey forgets a claimed key whose request failed, so a retry runs again.
	ReleaseIdempotencyKey(ctx context.Context, tokenID, key string) error
	// PurgeIdempotencyKeys deletes kept responses older than ttl.
	PurgeIdempotencyKeys(ctx context.Context, ttl time.Duration) error
}

// idempotent makes a POST that creates or pays something safe to retry: the first request with
// a key claims it (a pending row, so a concurrent twin is refused rather than run twice), and
// its response is kept for the same token's later requests with that key. Server errors are
// not kept, so that a retry after an outage runs again.
func (s *Server) idempotent(c *fiber.Ctx) error {
	key := c.Get(idempotencyHeader)
	if key == "" {
		return c.Next()
	}
	if utf8.RuneCountInString(key) > 255 {
		return bullpen.Invalid(idempotencyHeader, "the Idempotency-Key is longer than 255 characters")
	}
	key = string([]byte(key)) // outlive the request buffer
	tok := tokenIDOf(c)
	ctx := c.UserContext()
	s.purgeOldKeys(ctx)
	path := c.Route().Path
	claimed, prior, err := s.IdempotencyKeys.ClaimIdempotencyKey(ctx, tok, key, c.Method(), path, idempotencyTTL, idempotencyStale)
	if err != nil {
		return err
	}
	if !claimed {
		switch {
		case prior == nil || prior.Status == 0:
			return bullpen.Errorf(bullpen.EConflict, "a request with this Idempotency-Key is in progress; retry later")
		case prior.Method != c.Method() || prior.Path != path:
			return bullpen.Invalid(idempotencyHeader, "this Idempotency-Key was used for %s %s", prior.Method, prior.Path)
		}
		c.Set("Idempotent-Replayed", "true")
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Status(prior.Status).Send(prior.Body)
	}
	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}
	// The request's own context may be done by now; the key must still be settled.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	status := c.Response().StatusCode()
	if status >= 500 {
		err = s.IdempotencyKeys.ReleaseIdempotencyKey(sctx, tok, key)
	} else {
		err = s.IdempotencyKeys.SaveIdempotentResponse(sctx, tok, key, status, bytes.Clone(c.Response().Body()))
	}
	if err != nil {
		s.Logger.Error("settle idempotency key", "token_id", tok, "err", err)
	}
	return nil
}

// purgeClock spaces out deletions of expired keys: once an hour per process is plenty.
type purgeClock struct {
	mu   sync.Mutex
	last time.Time
}

func (s *Server) purgeOldKeys(ctx context.Context) {
	s.purged.mu.Lock()
	due := s.Now().Sub(s.purged.last) > time.Hour
	if due {
		s.purged.last = s.Now()
	}
	s.purged.mu.Unlock()
	if due {
		if err := s.IdempotencyKeys.PurgeIdempotencyKeys(ctx, idempotencyTTL); err != nil {
			s.Logger.Warn("purge idempotency keys", "err", err)
		}
	}
}
