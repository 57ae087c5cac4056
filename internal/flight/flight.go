// Package flight shares one read among the callers that ask for the same thing at the same
// moment: a reconnect storm of wall displays brings thousands of identical token lookups,
// contest reads and snapshots at once.
package flight

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sync/singleflight"
)

// timeout bounds the shared read itself, which no single caller's context may cut short.
const timeout = 15 * time.Second

// Do runs fn once for every caller with the same key at the same time. fn runs on a context
// of its own, so one caller going away does not fail the others.
func Do[T any](ctx context.Context, g *singleflight.Group, key string, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	ch := g.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		return fn(fctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		v, ok := r.Val.(T)
		if !ok {
			return zero, errors.New("flight: unexpected result type")
		}
		return v, nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
