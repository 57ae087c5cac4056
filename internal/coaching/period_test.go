package coaching_test

import (
	"errors"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/coaching"
)

func TestParseRange(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := utc("2026-03-20T15:00:00Z")
	cases := []struct {
		name, from, to string
		now            time.Time
		want           coaching.Range
	}{
		{"the current month by default", "", "", now, coaching.Range{From: utc("2026-03-01T05:00:00Z"), To: utc("2026-04-01T04:00:00Z")}},
		// 03:00 UTC on 1 March is still 28 February in New York.
		{"the month of the local date", "", "", utc("2026-03-01T03:00:00Z"), coaching.Range{From: utc("2026-02-01T05:00:00Z"), To: utc("2026-03-01T05:00:00Z")}},
		// 8 March 2026 has 23 hours in New York: the clocks spring forward.
		{"one local day, DST included", "2026-03-08", "2026-03-08", now, coaching.Range{From: utc("2026-03-08T05:00:00Z"), To: utc("2026-03-09T04:00:00Z")}},
		{"times are taken as given, to exclusive", "2026-03-01T10:00:00+01:00", "2026-03-02T00:00:00Z", now, coaching.Range{From: utc("2026-03-01T09:00:00Z"), To: utc("2026-03-02T00:00:00Z")}},
		{"a date and a time", "2026-03-10", "2026-03-10T12:00:00-04:00", now, coaching.Range{From: utc("2026-03-10T04:00:00Z"), To: utc("2026-03-10T16:00:00Z")}},
		{"from alone runs to the end of this month", "2026-01-15", "", now, coaching.Range{From: utc("2026-01-15T05:00:00Z"), To: utc("2026-04-01T04:00:00Z")}},
		{"a whole year", "2026-01-01", "2026-12-31", now, coaching.Range{From: utc("2026-01-01T05:00:00Z"), To: utc("2027-01-01T05:00:00Z")}},
	}
	for _, tc := range cases {
		got, err := coaching.ParseRange(tc.from, tc.to, ny, tc.now)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !got.From.Equal(tc.want.From) || !got.To.Equal(tc.want.To) {
			t.Errorf("%s: [%s, %s), want [%s, %s)", tc.name, got.From.UTC(), got.To.UTC(), tc.want.From.UTC(), tc.want.To.UTC())
		}
	}

	bad := []struct{ name, from, to, field string }{
		{"not a date", "March", "", "from"},
		{"a date without its day", "2026-03", "", "from"},
		{"a time without an offset", "", "2026-03-10T12:00:00", "to"},
		{"inverted", "2026-03-10", "2026-03-09", "to"},
		{"an empty range of times", "2026-03-10T12:00:00Z", "2026-03-10T12:00:00Z", "to"},
		{"only to, before this month", "", "2026-02-10", "to"},
		{"a day over a year", "2026-01-01", "2027-01-01", "to"},
		{"from alone, over a year ago", "2025-02-01", "", "to"},
	}
	for _, tc := range bad {
		_, err := coaching.ParseRange(tc.from, tc.to, ny, now)
		var e *bullpen.Error
		if !errors.As(err, &e) || e.Code != bullpen.EInvalid || e.Field != tc.field {
			t.Errorf("%s: %v, want invalid_argument naming %s", tc.name, err, tc.field)
		}
	}
}
