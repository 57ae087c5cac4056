package config_test

import (
	"strings"
	"testing"

	"bullpen/internal/config"
)

func TestFrameAncestorsAreOrigins(t *testing.T) {
	good := []string{"https://signage.example.com", "https://*.example.com", "http://10.0.0.7:8080", "https://[::1]:8443", "https://player.example.com/"}
	clearEnv(t)
	t.Setenv("BULLPEN_FRAME_ANCESTORS", strings.Join(good, ","))
	c, err := config.Load(":8081")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.FrameAncestors, ",") != strings.Join(good, ",") {
		t.Fatalf("frame ancestors %q, want %q", c.FrameAncestors, good)
	}

	// Each would either not be an origin or change the policy it is written into.
	for _, value := range []string{
		"signage.example.com", "*", "'self'", "https://a.example.com; script-src *", "https://a.example.com/page",
		"https://a.example.com?x=1", "https://user@a.example.com", "ftp://a.example.com", "https://a b.example.com",
		"HTTPS://a.example.com", "https://*", "https://a.*.example.com", "data:", "https://a.example.com 'unsafe-inline'",
	} {
		t.Run(value, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("BULLPEN_FRAME_ANCESTORS", value)
			_, err := config.Load(":8081")
			if err == nil || !strings.Contains(err.Error(), "BULLPEN_FRAME_ANCESTORS") {
				t.Fatalf("%q: %v, want an error naming BULLPEN_FRAME_ANCESTORS", value, err)
			}
		})
	}
}

func TestNoFrameAncestorsByDefault(t *testing.T) {
	clearEnv(t)
	c, err := config.Load(":8081")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.FrameAncestors) != 0 {
		t.Fatalf("frame ancestors %q, want none", c.FrameAncestors)
	}
}
