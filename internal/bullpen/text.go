package bullpen

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Storable reports whether PostgreSQL can hold s as text: UTF-8 without a NUL character. Text
// that is not would fail the write after validation passed, as a 500 instead of a 400.
func Storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// TrimJSONSpace is b without the whitespace JSON allows around a value (space, tab, CR, LF:
// RFC 8259 §2). bytes.TrimSpace would also take \v, \f and Unicode spaces, around which
// encoding/json refuses a value, and so let through what is not JSON.
func TrimJSONSpace(b []byte) []byte { return bytes.Trim(b, " \t\n\r") }

// MaxIDLength is the most characters an id a CRM or a person gives may have: a team's, or one in
// a contest's filters.
const MaxIDLength = 100

// ValidID reports whether s can serve as an id anywhere Bullpen shows or names it (a channel
// name, a CSV cell, a log line): 1 to MaxIDLength characters of UTF-8 with no control character
// (NUL, tab, newline and the other C0 and C1 controls, DEL).
func ValidID(s string) bool {
	return s != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= MaxIDLength &&
		strings.IndexFunc(s, unicode.IsControl) < 0
}

// CheckText checks a piece of text a person or a CRM gave: storable and at most max characters
// (min 1 when required).
func CheckText(field, s string, required bool, max int) error {
	switch n := utf8.RuneCountInString(s); {
	case required && n == 0:
		return Invalid(field, "%s is required", field)
	case n > max:
		return Invalid(field, "%s is longer than %d characters", field, max)
	case !Storable(s):
		return Invalid(field, "%s must be UTF-8 text without NUL characters", field)
	}
	return nil
}
