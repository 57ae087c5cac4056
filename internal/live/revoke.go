package live

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// revocations owns what a revoked token does to sockets: closed with 4403 on this node and,
// told through the channel log, on every other; remembered a while, so a socket still
// authenticating with the token when it was revoked is refused too.
type revocations struct {
	log     ChannelLog
	tokens  Tokens
	sockets *socketSet
	logger  *slog.Logger

	mu      sync.RWMutex
	revoked map[string]time.Time // token ids revoked lately
}

// revokedMemory is how long a revocation is remembered for sockets that were authenticating
// while it happened.
const revokedMemory = 2 * time.Minute

func newRevocations(log ChannelLog, tokens Tokens, sockets *socketSet, logger *slog.Logger) *revocations {
	return &revocations{log: log, tokens: tokens, sockets: sockets, logger: logger, revoked: map[string]time.Time{}}
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
	r.mu.Lock()
	now := time.Now()
	r.revoked[tokenID] = now
	for id, at := range r.revoked {
		if now.Sub(at) > revokedMemory {
			delete(r.revoked, id)
		}
	}
	r.mu.Unlock()
	r.sockets.each(func(sock *socket) {
		if sock.authed.Load() && sock.tokenID() == tokenID {
			sock.close(closeForbidden, "token revoked")
		}
	})
}

// recently reports whether the token was revoked lately.
func (r *revocations) recently(tokenID string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	at, ok := r.revoked[tokenID]
	return ok && time.Since(at) <= revokedMemory
}
