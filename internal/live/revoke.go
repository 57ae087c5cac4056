package live

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"bullpen/internal/bullpen"
)

// revocations owns what a revoked or rotated token does to sockets. Revoked: closed with 4403
// on this node and, told through the channel log, on every other; remembered a while, so a
// socket still authenticating with the token when it was revoked is refused too. Rotated: each
// node reads the token again for the secret each of its sockets holds, and re-arms the socket's
// expiry (expiry.go) or, for a secret that no longer works, closes it with 4401.
type revocations struct {
	log     ChannelLog
	tokens  Tokens
	sockets *socketSet
	logger  *slog.Logger

	mu      sync.RWMutex
	revoked map[string]time.Time // token ids revoked lately
	rotated map[string]time.Time // token ids rotated lately
}

// revokedMemory is how long a revocation is remembered for sockets that were authenticating
// while it happened.
const revokedMemory = 2 * time.Minute

func newRevocations(log ChannelLog, tokens Tokens, sockets *socketSet, logger *slog.Logger) *revocations {
	return &revocations{log: log, tokens: tokens, sockets: sockets, logger: logger, revoked: map[string]time.Time{},
		rotated: map[string]time.Time{}}
}

// revoke closes the token's sockets here and tells the other nodes.
func (r *revocations) revoke(tokenID string) {
	r.closeToken(tokenID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.log.PublishRevocation(ctx, tokenID); err != nil {
		r.logger.Error("publish token revocation to the other nodes", "token_id", tokenID, "err", err)
	}
}

// received is another node's revocation (or this node's own, coming back).
func (r *revocations) received(tokenID string) {
	r.tokens.ForgetToken(tokenID)
	r.closeToken(tokenID)
}

func (r *revocations) closeToken(tokenID string) {
	r.remember(r.revoked, tokenID)
	for _, sock := range r.socketsOf(tokenID) {
		sock.close(closeForbidden, "token revoked")
	}
}

// rotate rechecks the token's sockets here and tells the other nodes.
func (r *revocations) rotate(tokenID string) {
	r.receivedRotation(tokenID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.log.PublishRotation(ctx, tokenID); err != nil {
		r.logger.Error("publish token rotation to the other nodes", "token_id", tokenID, "err", err)
	}
}

// receivedRotation is another node's rotation (or this node's own, coming back).
func (r *revocations) receivedRotation(tokenID string) {
	r.tokens.ForgetToken(tokenID)
	r.remember(r.rotated, tokenID)
	if socks := r.socketsOf(tokenID); len(socks) > 0 {
		go r.recheck(socks) // off the subscription's reader: the reads may wait on PostgreSQL
	}
}

// recheck reads each socket's secret again and re-arms its expiry, or closes it with 4401 when
// the secret no longer works. Sockets holding the same secret share one read (the API's cache).
func (r *revocations) recheck(socks []*socket) {
	for _, sock := range socks {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t, err := r.tokens.AuthenticateHash(ctx, sock.secret)
		cancel()
		switch {
		case err == nil:
			sock.expireAt(t.SecretUntil)
		case bullpen.ErrorCode(err) == bullpen.EUnauthenticated:
			sock.close(closeUnauthenticated, "token secret expired")
		default:
			// The socket keeps the moment it had; the next rotation or its reconnect reads again.
			r.logger.Error("recheck a rotated token's socket", "token_id", sock.tokenID(), "err", err)
		}
	}
}

// socketsOf lists this node's authenticated sockets of a token.
func (r *revocations) socketsOf(tokenID string) []*socket {
	var out []*socket
	r.sockets.each(func(sock *socket) {
		if sock.authed.Load() && sock.tokenID() == tokenID {
			out = append(out, sock)
		}
	})
	return out
}

// remember notes a token id in m (revoked or rotated) and forgets what is older than
// revokedMemory.
func (r *revocations) remember(m map[string]time.Time, tokenID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	m[tokenID] = now
	for id, at := range m {
		if now.Sub(at) > revokedMemory {
			delete(m, id)
		}
	}
}

// recently reports whether the token was revoked lately.
func (r *revocations) recently(tokenID string) bool { return r.lately(r.revoked, tokenID) }

// rotatedLately reports whether the token was rotated lately.
func (r *revocations) rotatedLately(tokenID string) bool { return r.lately(r.rotated, tokenID) }

func (r *revocations) lately(m map[string]time.Time, tokenID string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	at, ok := m[tokenID]
	return ok && time.Since(at) <= revokedMemory
}
