package http

import (
	"testing"
)

// A body is JSON or it is refused: only JSON's own whitespace (space, tab, CR, LF) may surround
// it. bytes.TrimSpace also took \v, \f, NEL and no-break spaces, so such a body was decoded as if
// it were JSON (the consumer's event decoder had the same fault, found by its fuzzer).
func TestABodyIsTrimmedOfJSONWhitespaceOnly(t *testing.T) {
	var v struct {
		Name string `json:"name"`
	}
	const target = `[{"period":"2026-12","metric":"revenue","team_id":"east","rep_id":"rep-1","target":"100.00"}]`
	for _, tc := range []struct {
		name, around string
		ok           bool
	}{
		{"JSON's whitespace", " \t\r\n", true},
		{"nothing", "", true},
		{"a vertical tab", "\v", false},
		{"a form feed", "\f", false},
		{"a next line (U+0085)", "\u0085", false},
		{"a no-break space (U+00A0)", "\u00a0", false},
	} {
		for _, body := range []string{tc.around + `{"name":"x"}`, `{"name":"x"}` + tc.around} {
			if err := decodeBody([]byte(body), &v); (err == nil) != tc.ok {
				t.Errorf("decodeBody(%q) (%s): err = %v, want ok %v", body, tc.name, err, tc.ok)
			}
		}
		for _, body := range []string{tc.around + target, target + tc.around} {
			if _, err := decodeTargets([]byte(body)); (err == nil) != tc.ok {
				t.Errorf("decodeTargets(%q) (%s): err = %v, want ok %v", body, tc.name, err, tc.ok)
			}
		}
	}
}
