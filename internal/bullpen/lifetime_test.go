package bullpen_test

import (
	"testing"
	"time"

	"bullpen/internal/bullpen"
)

func TestParseOverlap(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		code string
	}{
		{"", 24 * time.Hour, ""},
		{"0s", 0, ""},
		{"90m", 90 * time.Minute, ""},
		{"168h", 7 * 24 * time.Hour, ""},
		{"168h1s", 0, bullpen.EInvalid},
		{"-1s", 0, bullpen.EInvalid},
		{"1 day", 0, bullpen.EInvalid},
		{"86400", 0, bullpen.EInvalid}, // a duration names its unit, as the configuration's do
	} {
		got, err := bullpen.ParseOverlap(tc.in)
		if tc.code != "" {
			wantCode(t, err, tc.code, "overlap")
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseOverlap(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestCheckSecretRefusesFromTheMomentItEnds(t *testing.T) {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	for _, tc := range []struct {
		name     string
		tok      bullpen.Token
		replaced bool
		refused  bool
		says     string
	}{
		{"a token that never expires", bullpen.Token{}, false, false, ""},
		{"a second before its expiry", bullpen.Token{ExpiresAt: at(time.Second)}, false, false, ""},
		{"at its expiry", bullpen.Token{ExpiresAt: at(0)}, false, true, "token expired at 2026-12-10T12:00:00Z"},
		{"the current secret of a rotated token", bullpen.Token{PreviousUntil: at(-time.Hour)}, false, false, ""},
		{"the replaced secret in its overlap", bullpen.Token{PreviousUntil: at(time.Minute)}, true, false, ""},
		{"the replaced secret after its overlap", bullpen.Token{PreviousUntil: at(-time.Minute)}, true, true,
			"token secret expired: a rotation replaced it and its overlap ended at 2026-12-10T11:59:00Z"},
		{"the replaced secret of an expired token", bullpen.Token{ExpiresAt: at(-time.Hour), PreviousUntil: at(-time.Hour)}, true, true,
			"token expired at 2026-12-10T11:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.tok
			tok.SecretUntil, tok.Replaced = bullpen.SecretUntil(tok, tc.replaced), tc.replaced
			err := bullpen.CheckSecret(tok, now)
			if !tc.refused {
				wantCode(t, err, "", "")
				return
			}
			wantCode(t, err, bullpen.EUnauthenticated, "")
			if be := err.(*bullpen.Error); be.Message != tc.says {
				t.Fatalf("message %q, want %q", be.Message, tc.says)
			}
		})
	}
}
