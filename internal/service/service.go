// Package service holds the write use-cases of the API: create, change, end and cancel a
// contest; mint and revoke a token; launch and end an incentive; adjust a rep's points. Each
// loads what it needs, lets the domain decide (internal/contest, internal/incentive,
// internal/bullpen: pure functions) and writes the outcome, through narrow interfaces declared
// here beside their use and implemented by the adapters (internal/postgres, internal/redis).
//
// One package with a file per idea, named as in the domain and the adapters (contest.go,
// token.go, incentive.go, ledger.go), rather than a package per idea: the use-cases are thin,
// and a package "contests" beside the domain's "contest" would differ from it by one letter.
// A new use-case is a new file here; its rules go to the domain, its storage to an adapter.
package service

import (
	"log/slog"
	"time"
)

// orDefaults fills in the clock and logger a use-case was built without.
func orDefaults(now func() time.Time, log *slog.Logger) (func() time.Time, *slog.Logger) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return now, log
}
