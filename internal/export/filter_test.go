package export_test

import (
	"errors"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/export"
)

func TestRangeTakesDatesAsWholeUTCDaysAndTimesAsGiven(t *testing.T) {
	r, err := export.ParseRange("2026-01-01", "2026-01-31", true)
	if err != nil {
		t.Fatal(err)
	}
	if !r.From.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !r.To.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("range %v", r)
	}
	r, err = export.ParseRange("2026-01-01T09:00:00-05:00", "2026-01-01T17:00:00-05:00", true)
	if err != nil {
		t.Fatal(err)
	}
	if !r.From.Equal(time.Date(2026, 1, 1, 14, 0, 0, 0, time.UTC)) || !r.To.Equal(time.Date(2026, 1, 1, 22, 0, 0, 0, time.UTC)) {
		t.Fatalf("range %v", r)
	}
	if r, err := export.ParseRange("2026-01-05", "2026-01-05", true); err != nil || r.To.Sub(r.From) != 24*time.Hour {
		t.Fatalf("one day: %v %v", r, err)
	}
	if r, err := export.ParseRange("", "", false); r != nil || err != nil {
		t.Fatalf("optional and absent: %v %v", r, err)
	}
}

func TestBadRangesNameTheField(t *testing.T) {
	cases := []struct{ from, to, field string }{
		{"", "2026-01-31", "from"},
		{"2026-01-01", "", "to"},
		{"2026-13-01", "2026-01-31", "from"},
		{"yesterday", "2026-01-31", "from"},
		{"2026-01-01", "2026-01-01T25:00:00Z", "to"},
		{"2026-02-01", "2026-01-31", "to"},
		{"2026-01-01T12:00:00Z", "2026-01-01T11:59:59Z", "to"},
	}
	for _, tc := range cases {
		_, err := export.ParseRange(tc.from, tc.to, true)
		var be *bullpen.Error
		if !errors.As(err, &be) || be.Code != bullpen.EInvalid || be.Field != tc.field {
			t.Errorf("ParseRange(%q, %q) = %v, want invalid %s", tc.from, tc.to, err, tc.field)
		}
	}
	// Optional, but half given: the other half is missing.
	if _, err := export.ParseRange("2026-01-01", "", false); err == nil {
		t.Error("a from without a to was taken")
	}
}

func TestFileNamesKeepToSafeCharacters(t *testing.T) {
	if got := export.FileName("standings", "Q1 push / \"east\"", "2026-01-01"); got != "standings_Q1-push----east-_2026-01-01.csv" {
		t.Fatalf("file name %q", got)
	}
	if got := export.FileName("ledger", "2026-01-01", "", "ana"); got != "ledger_2026-01-01_ana.csv" {
		t.Fatalf("file name %q", got)
	}
}
