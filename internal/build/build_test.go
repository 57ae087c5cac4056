package build

import (
	"strings"
	"testing"
)

func TestResolveTakesTheStampThenTheCheckout(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	vcs := func(rev string, modified bool) func() (string, bool) {
		return func() (string, bool) { return rev, modified }
	}
	cases := []struct {
		name, v, c   string
		rev          string
		modified     bool
		wantV, wantC string
	}{
		{"stamped", "v1.4.0", sha, "ffffffffffffffff", false, "v1.4.0", sha},
		{"version stamped alone", "v1.4.0", "", sha, false, "v1.4.0", sha},
		{"unstamped checkout", "", "", sha, false, sha[:12], sha},
		{"unstamped, edited checkout", "", "", sha, true, sha[:12] + "-dirty", sha},
		{"nothing known", "", "", "", false, "dev", ""},
	}
	for _, c := range cases {
		got := resolve(c.v, c.c, vcs(c.rev, c.modified))
		if got.Version != c.wantV || got.Commit != c.wantC || !strings.HasPrefix(got.GoVersion, "go") {
			t.Errorf("%s: %+v, want version %q commit %q", c.name, got, c.wantV, c.wantC)
		}
	}
	if s := (Info{Version: "v1", GoVersion: "go1.26"}).String(); s != "bullpen v1 (commit unknown, go1.26)" {
		t.Errorf("String() = %q", s)
	}
}
