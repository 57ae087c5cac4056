#!/usr/bin/env bash
# Runs every fuzz target of the module (each `func FuzzX` in a _test.go file) for FUZZTIME
# (default 5s) each. `make test` runs them briefly, `make fuzz` longer. A crash stops the run;
# the input that found it is written to the package's testdata/fuzz/FuzzX/, where plain
# `go test` replays it from then on: keep it as a regression case and fix the code.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-5s}"
go="${GO:-go}"
targets=$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+' internal tools 2>/dev/null | sort)
[ -n "$targets" ] || { echo "no fuzz targets found" >&2; exit 1; }
# Go before 1.27 may fail a target with a bare "context deadline exceeded" at the -fuzztime
# boundary on a busy machine, having found nothing (golang/go#75804). Such a run, and only such
# a run (no "Failing input written"), is tried once more; anything else fails at once.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while IFS= read -r t; do
	file="${t%%:*}"
	name="${t##*func }"
	pkg="./$(dirname "$file")"
	for attempt in 1 2; do
		echo "fuzz $pkg $name for $fuzztime"
		if "$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1 | tee "$log"; then
			break
		fi
		if [ "$attempt" = 1 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
			echo "fuzz: $name stopped at its deadline having found nothing (golang/go#75804); once more"
			continue
		fi
		exit 1
	done
done <<<"$targets"
