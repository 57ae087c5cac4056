// Package bullpen holds the types every other package speaks: errors with a stable code,
// roles and tokens. It imports no adapter.
package bullpen

import (
	"errors"
	"fmt"
)

// Error codes, shared by the HTTP API and the WebSocket protocol (docs/api.md §3).
const (
	EInvalid         = "invalid_argument"
	EUnauthenticated = "unauthenticated"
	EPermission      = "permission_denied"
	ENotFound        = "not_found"
	EConflict        = "conflict"
	ERateLimited     = "rate_limited"
	EInternal        = "internal"
	// EUnavailable (an extension): a service the request needs is down; retry later.
	EUnavailable = "unavailable"
)

// Error is an error a caller can act on: a stable code, a message for people and, for
// invalid input, the path of the offending field ("prizes.0.points").
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return e.Code + ": " + e.Message
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an invalid_argument error naming field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EInternal for an error that carries none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// PrefixField returns err with its field path prefixed ("3" + "amount" = "3.amount").
func PrefixField(prefix string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	if c.Field == "" {
		c.Field = prefix
	} else {
		c.Field = prefix + "." + c.Field
	}
	return &c
}
