package http

import (
	"context"
	"sync"
	"time"

	"bullpen/internal/bullpen"
)

// A node keeps the tokens it read, by their secret's hash, and serves them without reading
// again:
//
//   - for tokenTTL after the read, as any cache (a revocation made on another node and whose
//     notice this node missed is refused by then);
//   - for as long as the node follows the ledger's log of token changes (migration 020) without
//     a break: every tokenPoll it reads the changes past the last one it saw and forgets the
//     tokens they name. Its trust ends tokenTTL after its last read began, so a node that can
//     no longer read the log falls back to the cache's rule, and no change takes longer than
//     tokenTTL to reach it either way.
//
// A read that began before a change and ends after the watcher heard of it is not kept: the
// watcher had nothing to forget yet. At start the node reads every live token ahead
// (LearnTokens, up to maxLearntTokens), so a floor arriving the morning after a deploy, or
// after a quiet night, is served from memory: a token read needs PostgreSQL only for a token
// minted since, or changed.
const (
	tokenPoll       = time.Second
	maxKnownTokens  = 100_000
	maxLearntTokens = maxKnownTokens / 2
)

type tokenMemory struct {
	mu      sync.Mutex
	m       map[string]knownToken
	n       int64     // the last change the watcher read
	watched time.Time // when the watcher's last read began (zero: none yet)
}

type knownToken struct {
	t      bullpen.Token
	readAt time.Time
}

// get is the token known by the hash h, if it may be trusted at now; touch says its use is to
// be recorded (the entry then counts it as recorded).
func (k *tokenMemory) get(h string, now time.Time) (t bullpen.Token, ok, touch bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.m[h]
	if !ok || (now.Sub(e.readAt) >= tokenTTL && !k.followed(now)) {
		return bullpen.Token{}, false, false
	}
	if e.t.LastUsedAt == nil || now.Sub(*e.t.LastUsedAt) >= touchEvery {
		e.t.LastUsedAt, touch = &now, true
		k.m[h] = e
	}
	return e.t, true, touch
}

// followed says whether the watcher's last read of the log began within tokenTTL.
func (k *tokenMemory) followed(now time.Time) bool {
	return !k.watched.IsZero() && now.Sub(k.watched) < tokenTTL
}

// mark is what a read must give put: the last change heard of when the read began.
func (k *tokenMemory) mark() int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.n
}

// put keeps a token read since mark, unless a change was heard of meanwhile.
func (k *tokenMemory) put(h string, t bullpen.Token, now time.Time, mark int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.n != mark {
		return
	}
	if k.m == nil || len(k.m) >= maxKnownTokens {
		k.m = map[string]knownToken{}
	}
	k.m[h] = knownToken{t: t, readAt: now}
}

// dropIf forgets every token that matches.
func (k *tokenMemory) dropIf(match func(bullpen.Token) bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for h, e := range k.m {
		if match(e.t) {
			delete(k.m, h)
		}
	}
}

// heard applies a read of the log that began at began: the tokens changed up to last are
// forgotten (all of them when the read was not complete).
func (k *tokenMemory) heard(last int64, ids []string, complete bool, began time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case !complete:
		clear(k.m)
	case len(ids) > 0:
		changed := make(map[string]bool, len(ids))
		for _, id := range ids {
			changed[id] = true
		}
		for h, e := range k.m {
			if changed[e.t.ID] {
				delete(k.m, h)
			}
		}
	}
	k.n, k.watched = last, began
}

// learnt starts the memory from the tokens read ahead, read after change last.
func (k *tokenMemory) learnt(tokens map[string]bullpen.Token, last int64, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m = make(map[string]knownToken, len(tokens))
	for h, t := range tokens {
		k.m[h] = knownToken{t: t, readAt: now}
	}
	k.n = last
}

// WatchTokens reads every live token ahead, then follows the ledger's log of token changes
// every tokenPoll until ctx ends. Without it the node keeps tokens for tokenTTL.
func (s *Server) WatchTokens(ctx context.Context) {
	learn := func() bool {
		tokens := map[string]bullpen.Token{}
		now := s.Now()
		last, err := s.TokenReader.LiveTokens(ctx, maxLearntTokens, func(h []byte, t bullpen.Token) {
			if bullpen.CheckSecret(t, now) == nil {
				tokens[string(h)] = t
			}
		})
		if err != nil {
			if ctx.Err() == nil {
				s.Logger.Warn("tokens not read ahead: will try again", "err", err)
			}
			return false
		}
		s.tokens.learnt(tokens, last, now)
		return true
	}
	t := time.NewTicker(tokenPoll)
	defer t.Stop()
	learnt := learn()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !learnt {
			learnt = learn()
			continue
		}
		began := s.Now()
		last, ids, complete, err := s.TokenReader.TokenChanges(ctx, s.tokens.mark())
		if err != nil {
			if ctx.Err() == nil {
				s.Logger.Warn("token changes not read: tokens are trusted for a while only", "err", err)
			}
			continue
		}
		s.tokens.heard(last, ids, complete, began)
	}
}
