package export

import (
	"time"

	"bullpen/internal/bullpen"
)

// Range is the window [From, To) an export covers.
type Range struct {
	From, To time.Time
}

// ParseRange reads ?from= and ?to=: each an RFC 3339 time or a date YYYY-MM-DD (a UTC day;
// as `to`, the day is included). A missing value, when required, a malformed one or a `to`
// that leaves the window empty is refused naming the field. Both empty and not required: nil.
func ParseRange(from, to string, required bool) (*Range, error) {
	if from == "" && to == "" && !required {
		return nil, nil
	}
	f, err := parseBound("from", from, false)
	if err != nil {
		return nil, err
	}
	t, err := parseBound("to", to, true)
	if err != nil {
		return nil, err
	}
	if !t.After(f) {
		return nil, bullpen.Invalid("to", "to (%s) must come after from (%s)", to, from)
	}
	return &Range{From: f, To: t}, nil
}

func parseBound(name, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, bullpen.Invalid(name, "%s is required: a date YYYY-MM-DD or an RFC 3339 time", name)
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, bullpen.Invalid(name, "%s must be a date YYYY-MM-DD or an RFC 3339 time", name)
	}
	return t.UTC(), nil
}

// FileName names a download: the export's kind and what it covers, in characters every file
// system takes.
func FileName(kind string, parts ...string) string {
	b := []byte(kind)
	for _, p := range parts {
		if p == "" {
			continue
		}
		b = append(b, '_')
		for i := 0; i < len(p); i++ {
			c := p[i]
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.':
				b = append(b, c)
			default:
				b = append(b, '-')
			}
		}
	}
	return string(b) + ".csv"
}

// LedgerFilter selects the points ledger's entries created within Range, of one rep or of the
// reps now in one team when set.
type LedgerFilter struct {
	Range         Range
	RepID, TeamID string
}

// WinnerFilter selects spot-incentive wins: won within Range (when set), of one incentive (when
// set).
type WinnerFilter struct {
	Range       *Range
	IncentiveID string
}
