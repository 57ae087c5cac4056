// Package build names the running build: its version and commit, stamped at link time by
// `make build` (and the image):
//
//	go build -ldflags "-X bullpen/internal/build.version=v1.4.0 -X bullpen/internal/build.commit=<sha>"
//
// A build without the stamp (go run, go test, a plain go build) falls back to what the Go
// toolchain records from the checkout (vcs.revision), and to "dev" without one. The version is
// what a wall display compares (`server_version`): a new one makes it reload.
package build

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// Set by -ldflags -X; empty in an unstamped build.
var version, commit string

// Info is a build's identity.
type Info struct {
	Version   string // the stamp (a tag or `git describe`), else the commit's first 12, else "dev"
	Commit    string // the full commit, "" when unknown
	GoVersion string
}

// Get is the running build's Info.
func Get() Info {
	return resolve(version, commit, readVCS)
}

// String is the line `--version` prints.
func (i Info) String() string {
	c := i.Commit
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("bullpen %s (commit %s, %s)", i.Version, c, i.GoVersion)
}

// resolve picks the stamp first, then the toolchain's record.
func resolve(v, c string, vcs func() (rev string, modified bool)) Info {
	i := Info{Version: v, Commit: c, GoVersion: runtime.Version()}
	if i.Commit == "" || i.Version == "" {
		rev, modified := vcs()
		if i.Commit == "" {
			i.Commit = rev
		}
		if i.Version == "" && len(rev) >= 12 {
			i.Version = rev[:12]
			if modified {
				i.Version += "-dirty"
			}
		}
	}
	if i.Version == "" {
		i.Version = "dev"
	}
	return i
}

func readVCS() (rev string, modified bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	return rev, modified
}

// Metric is bullpen_build_info{version, commit, go_version} = 1, for a process's /metrics.
func Metric() prometheus.Collector {
	i := Get()
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "bullpen_build_info",
		Help:        "The running build: always 1, its version, commit and Go version as labels.",
		ConstLabels: prometheus.Labels{"version": i.Version, "commit": i.Commit, "go_version": i.GoVersion},
	})
	g.Set(1)
	return g
}
