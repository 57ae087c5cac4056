package live

import (
	"time"
)

// A token's secret can stop working while its sockets are open: the token expires, or the
// secret is the one a rotation replaced and its overlap ends. Such a socket holds a timer of its
// own that closes it with 4401 at that moment (4401 rather than 4403: a display given the new
// secret may come back with it).
//
// One timer per socket rather than a sweep: at 10,000 sockets a timer is an entry in the
// runtime's timer heap (O(log n) to add, nothing while it waits, no goroutine until it fires),
// and the sockets of tokens that never expire hold none; a sweep would visit every socket at
// every tick whether or not anything expires, and close late by up to its period. A rotation
// moves the moment (revoke.go rechecks the token's sockets on every node), so the timer is
// re-armed, never only armed once.

// expireAt arms the socket's close at until, replacing any earlier timer (nil: never closes).
func (sock *socket) expireAt(until *time.Time) {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	sock.stopExpiryLocked()
	if until == nil || sock.closing {
		return
	}
	sock.expiry = time.AfterFunc(until.Sub(sock.l.deps.Now()), func() {
		sock.close(closeUnauthenticated, "token expired")
	})
}

func (sock *socket) stopExpiryLocked() {
	if sock.expiry != nil {
		sock.expiry.Stop()
		sock.expiry = nil
	}
}
