package app

import (
	"os"
	"runtime/debug"
)

// consumerGCPercent is the consumer's GOGC unless the environment sets one. The consumer
// allocates a batch's worth of short-lived objects and drops them all at commit, so its live
// heap is small and a collection every 100 % of growth mostly rescans the same little; at 400 %
// its own CPU per 1000 events fell from ~19.8 to ~15 ms (docs/benchmarks.md), for a heap a few
// tens of MB larger. A container limit should come with GOMEMLIMIT (deploy/k8s/consumer.yaml).
const consumerGCPercent = 400

// TuneGC applies the consumer's GC setting, unless GOGC is set (the operator's word wins).
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(consumerGCPercent)
	}
}
