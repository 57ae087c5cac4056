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
while IFS= read -r t; do
	file="${t%%:*}"
	name="${t##*func }"
	pkg="./$(dirname "$file")"
	echo "fuzz $pkg $name for $fuzztime"
	"$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done <<<"$targets"
