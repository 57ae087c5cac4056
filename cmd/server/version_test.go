package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestVersionIsStampedAtLinkTime builds both processes as `make build` does, with a version and
// a commit given to the linker, and asks each for its --version (no configuration needed).
func TestVersionIsStampedAtLinkTime(t *testing.T) {
	dir := t.TempDir()
	const stamp = "-X bullpen/internal/build.version=v9.8.7-test -X bullpen/internal/build.commit=0123456789abcdef"
	for _, pkg := range []string{".", "../consumer"} {
		bin := filepath.Join(dir, filepath.Base(pkg)+".bin")
		if out, err := exec.Command("go", "build", "-ldflags", stamp, "-o", bin, pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
		out, err := exec.Command(bin, "--version").Output()
		if err != nil {
			t.Fatalf("%s --version: %v", pkg, err)
		}
		if !regexp.MustCompile(`^bullpen v9\.8\.7-test \(commit 0123456789abcdef, go1\.\d+`).Match(out) {
			t.Fatalf("%s --version printed %q", pkg, out)
		}
	}
}
