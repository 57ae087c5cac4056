package app

import (
	"os"
	"runtime/debug"
)

// GC settings per process, applied by RunConsumer and RunServer unless GOGC is set (the
// operator's word wins). A container limit should come with GOMEMLIMIT (deploy/k8s).
const (
	// The consumer allocates a batch's worth of short-lived objects and drops them all at
	// commit, so its live heap is small and a collection every 100 % of growth mostly rescans
	// the same little; at 400 % its own CPU per 1000 events fell from ~19.8 to ~15 ms
	// (docs/benchmarks.md), for a heap a few tens of MB larger.
	consumerGCPercent = 400
	// The server's heap is mostly long-lived sockets (~10 KB each): at 100 % the heap grows to
	// twice that before a collection; at 50 % a socket costs ~3–4 KB less memory, for more
	// frequent collections of a heap that allocates little per message (frames are shared).
	serverGCPercent = 50
)

// TuneConsumerGC applies the consumer's GC setting.
func TuneConsumerGC() { tuneGC(consumerGCPercent) }

// TuneServerGC applies the server's GC setting.
func TuneServerGC() { tuneGC(serverGCPercent) }

func tuneGC(percent int) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(percent)
	}
}
