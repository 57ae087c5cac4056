package bullpen

import (
	"errors"
	"strconv"
	"strings"
)

// Fixed is an exact decimal with two places, stored as hundredths: amounts in the currency's
// major unit, scores and points. Sums stay exact; a float64 never holds money.
type Fixed int64

// FixedLimit is the exclusive upper bound of an event amount (10^12 major units).
const FixedLimit Fixed = 1_000_000_000_000_00

var (
	errFixedSyntax   = errors.New("not a decimal number")
	errFixedPlaces   = errors.New("more than 2 decimal places")
	errFixedNegative = errors.New("negative")
	errFixedTooLarge = errors.New("too large")
)

// ParseFixed parses a plain decimal ("12", "12.5", "-0.25", "1e3" is refused) with at most two
// decimal places. Trailing zeros past two places are accepted ("1.500").
func ParseFixed(s string) (Fixed, error) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") || len(intPart) > 15 {
		if len(intPart) > 15 && allDigits(intPart) {
			return 0, errFixedTooLarge
		}
		return 0, errFixedSyntax
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, errFixedSyntax
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, errFixedPlaces
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, errFixedSyntax
	}
	if neg {
		n = -n
	}
	return Fixed(n), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String renders f as a decimal without trailing zeros: 4825050 -> "48250.5".
func (f Fixed) String() string { return string(f.Append(make([]byte, 0, 24))) }

// Append appends f as String writes it.
func (f Fixed) Append(b []byte) []byte {
	n := int64(f)
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/100, 10)
	if c := n % 100; c != 0 {
		b = append(b, '.', byte('0'+c/10))
		if c%10 != 0 {
			b = append(b, byte('0'+c%10))
		}
	}
	return b
}

// MarshalJSON writes f as a JSON number.
func (f Fixed) MarshalJSON() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalJSON reads a JSON number or a decimal string.
func (f *Fixed) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := ParseFixed(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// ParseAmount parses an event amount: a decimal >= 0 with at most two places, below 10^12.
func ParseAmount(s string) (Fixed, error) {
	v, err := ParseFixed(s)
	switch {
	case err != nil:
		return 0, err
	case v < 0:
		return 0, errFixedNegative
	case v >= FixedLimit:
		return 0, errFixedTooLarge
	}
	return v, nil
}
