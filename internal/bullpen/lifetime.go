package bullpen

import (
	"time"
)

// A rotation's overlap: how long the replaced secret keeps working, so a wall display holding
// it is not cut off before someone gives it the new one.
const (
	DefaultOverlap = 24 * time.Hour
	MaxOverlap     = 7 * 24 * time.Hour
)

// ParseOverlap reads a rotation's overlap, written as the configuration writes durations
// ("24h", "90m", "0s"); empty is DefaultOverlap.
func ParseOverlap(s string) (time.Duration, error) {
	if s == "" {
		return DefaultOverlap, nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, Invalid("overlap", "overlap must be a duration such as 24h or 90m")
	case d < 0:
		return 0, Invalid("overlap", "overlap must not be negative")
	case d > MaxOverlap:
		return 0, Invalid("overlap", "overlap is at most %s", MaxOverlap)
	}
	return d, nil
}

// CheckExpiry checks a token's asked-for expiry: none, or a time after now.
func CheckExpiry(at *time.Time, now time.Time) error {
	if at != nil && !at.After(now) {
		return Invalid("expires_at", "expires_at must be in the future")
	}
	return nil
}

// CheckSecret refuses a token whose presented secret no longer works at now: the token expired,
// or the secret is the one a rotation replaced and its overlap has ended. The refusal is the
// one of an unknown token (401), with a message that says why.
func CheckSecret(t Token, now time.Time) error {
	if t.SecretUntil == nil || now.Before(*t.SecretUntil) {
		return nil
	}
	if t.Replaced && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt)) {
		return Errorf(EUnauthenticated, "token secret expired: a rotation replaced it and its overlap ended at %s",
			t.SecretUntil.UTC().Format(time.RFC3339))
	}
	return Errorf(EUnauthenticated, "token expired at %s", t.SecretUntil.UTC().Format(time.RFC3339))
}

// SecretUntil is when a token's secret stops working: the token's expiry, and for the secret a
// rotation replaced, the end of its overlap too (nil: never).
func SecretUntil(t Token, replaced bool) *time.Time {
	until := t.ExpiresAt
	if replaced {
		until = earliest(until, t.PreviousUntil)
	}
	return until
}

// Rotate decides a rotation of t at now, asked by a token of role by: who may (as for
// revoking), and that t still works. The new secret takes over at once; the one it replaces
// works for overlap more, never past the token's expiry. expiresAt, when given, is the token's
// new expiry; absent, it keeps its own. A secret replaced by an earlier rotation stops at once.
func Rotate(by Role, t Token, now time.Time, overlap time.Duration, expiresAt *time.Time) (Token, error) {
	switch {
	case !MayManage(by, t.Role):
		return t, Errorf(EPermission, "a %s token may not rotate %s tokens", by, t.Role)
	case t.RevokedAt != nil:
		return t, Errorf(EConflict, "token %s is revoked: mint a new one", t.ID)
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		return t, Errorf(EConflict, "token %s expired at %s: mint a new one", t.ID, t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if err := CheckExpiry(expiresAt, now); err != nil {
		return t, err
	}
	end := now.Add(overlap)
	r := t
	if expiresAt != nil {
		r.ExpiresAt = expiresAt
	}
	r.RotatedAt = &now
	r.PreviousUntil = earliest(&end, earliest(t.ExpiresAt, r.ExpiresAt))
	return r, nil
}

// earliest is the earlier of two times, nil standing for never.
func earliest(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return b
	case b == nil || a.Before(*b):
		return a
	}
	return b
}
