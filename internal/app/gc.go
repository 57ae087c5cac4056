package app

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
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
	// serverHeadroom is the least the server's heap may grow between two collections. At 50 %
	// of a small live heap (3,200 sockets in the morning rush: 40–70 MB) the server collected
	// every 0.3–0.8 s, each collection scanning the stacks of thousands of goroutines while
	// requests waited on its assists. From 128 MB live (~15,000 sockets) 50 % is more.
	serverHeadroom = 64 << 20
	// serverHeapFloor is the least heap a collection waits for. With the headroom alone the
	// rush's server (25–40 MB live) still collected every ~3 s, and a collection's mark (100–270
	// ms on a full machine) was the half second in which the API's slowest requests fell
	// (docs/benchmarks.md). Below the floor the heap's excess is garbage not yet collected. It
	// is no more than live + headroom from 64 MB live (~7,000 sockets) on, so the memory per
	// socket measured at 10,000 does not move.
	serverHeapFloor = 128 << 20
	// maxServerGCPercent bounds the percent a nearly empty heap would get.
	maxServerGCPercent = 1000
)

// TuneConsumerGC applies the consumer's GC setting.
func TuneConsumerGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(consumerGCPercent)
	}
}

// TuneServerGC applies the server's GC setting, serverGCPercent of the live heap but at least
// serverHeadroom and up to serverHeapFloor, and follows the live heap every second until ctx ends.
func TuneServerGC(ctx context.Context) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	current := serverGCPercentFor(live())
	debug.SetGCPercent(current)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if p := serverGCPercentFor(live()); p != current {
				debug.SetGCPercent(p)
				current = p
			}
		}
	}()
}

// serverGCPercentFor is the GC percent for a live heap of live bytes: serverGCPercent, or what
// lets it grow by serverHeadroom, or to serverHeapFloor, whichever is more (at most
// maxServerGCPercent), in steps of 10 so that a heap moving a little does not change it.
func serverGCPercentFor(live uint64) int {
	if live == 0 {
		return maxServerGCPercent
	}
	growth := uint64(serverHeadroom)
	if live < serverHeapFloor {
		growth = max(growth, serverHeapFloor-live)
	}
	p := int(min(growth*100/live, maxServerGCPercent))
	return max(serverGCPercent, p/10*10)
}
