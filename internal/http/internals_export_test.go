package http

import "time"

// Unexported values the external tests (package http_test) read.

// TouchWait is touchWait, for the external tests.
const TouchWait = touchWait

// BalanceReaders is balanceReaders, for the external tests.
const BalanceReaders = balanceReaders

// TokensFollowedAt is when the token watcher's last read of the log began (zero: none yet).
func (s *Server) TokensFollowedAt() time.Time {
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	return s.tokens.watched
}
