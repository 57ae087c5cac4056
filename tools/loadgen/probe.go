package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"bullpen/internal/config"
)

// The probes: a few of the viewers (-probes, 100 by default) run in a process of their own
// (`loadgen -role probe`, a session of its own), connected in among the others so that they sit
// all along the server's lists of watchers, and time every message they get. The other viewers
// share one process that, with 10,000 sockets, is as busy as the server and reads late: a
// message then waits in the viewer's socket for the program to get round to it, and even the
// kernel's receive timestamp of a read is that of its last segment, so several frames read
// at once all take the last one's time. The probes, a hundred sockets in an idle process,
// read at once, as a viewer on a machine of its own would. The server cannot tell them from
// the others.
//
// Commands on stdin, each answered with the probeStats as one JSON line: "connect" (one more
// probe, in the background), "wait" (until every probe asked for is connected or failed),
// "start" (a measured window from now), "stop" (its end).

// latency is a histogram's summary.
type latency struct {
	P50ms, P90ms, P99ms float64
	Samples             int64
}

func latencyOf(h *hist) latency {
	return latency{P50ms: h.pct(50), P90ms: h.pct(90), P99ms: h.pct(99), Samples: h.n.Load()}
}

// probeStats are the probe child's figures for the measured window.
type probeStats struct {
	Connected, Failed int64
	// Read: when the probe read the frame; Rx: when it reached the probe's socket (the
	// kernel's receive time). Notice: event to its celebration's Redis notice; Fanout: that
	// notice to the frame.
	Celebration, CelebrationRx, Update, UpdateRx, Notice, Fanout, FanoutRx latency
	Messages, Gaps, GapMessages, UnknownWon                                int64
	Closes                                                                 map[string]int64
}

func runProbe(ctx context.Context, cfg config.Config) int {
	get := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			fmt.Fprintln(os.Stderr, name, "is not set")
			os.Exit(2)
		}
		return v
	}
	startNs, err1 := strconv.ParseInt(get("LOADGEN_START"), 10, 64)
	ips, err2 := strconv.Atoi(get("LOADGEN_SOURCE_IPS"))
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "LOADGEN_START, LOADGEN_SOURCE_IPS:", err1, err2)
		return 2
	}
	contests := strings.Split(get("LOADGEN_CONTESTS"), ",")
	start := time.Unix(0, startNs)
	st := &stats{}
	seen := &notices{}
	if err := watchNotices(ctx, cfg.RedisURL, get("LOADGEN_NOTICE"), start, seen, st); err != nil {
		fmt.Fprintln(os.Stderr, "notices:", err)
		return 1
	}
	e := &env{url: get("LOADGEN_URL"), token: get("LOADGEN_TOKEN"), dialers: newDialers(ips, true), notices: seen, st: st, start: start}

	var clients []*client
	var wg sync.WaitGroup
	var connected, failed atomic.Int64
	var m0, g0, gm0, uw0 int64
	lines := stdinLines()
	defer func() { wg.Wait(); leaveAll(clients) }()
	enc := json.NewEncoder(os.Stdout)
	for {
		var cmd string
		select {
		case <-ctx.Done():
			return 0
		case l, ok := <-lines:
			if !ok {
				return 0
			}
			cmd = l
		}
		switch cmd {
		case "connect":
			c := &client{id: len(clients)}
			c.chans[0].name = "contest:" + contests[c.id%len(contests)]
			c.chans[1].name = "floor"
			clients = append(clients, c)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.connect(ctx, c); err != nil {
					failed.Add(1)
					c.conn = nil
					fmt.Fprintf(os.Stderr, "probe %d: %v\n", c.id, err)
					return
				}
				connected.Add(1)
			}()
		case "wait":
			wg.Wait()
		case "start":
			for _, h := range []*hist{&st.celebration, &st.celebrationRx, &st.update, &st.updateRx, &st.notice, &st.fanout, &st.fanoutRx} {
				h.reset()
			}
			m0, g0, gm0, uw0 = st.msgs.Load(), st.gaps.Load(), st.gapMsgs.Load(), st.unknownWon.Load()
			e.measured.Store(true)
		case "stop":
			e.measured.Store(false)
		}
		out := probeStats{Connected: connected.Load(), Failed: failed.Load(),
			Celebration: latencyOf(&st.celebration), CelebrationRx: latencyOf(&st.celebrationRx),
			Update: latencyOf(&st.update), UpdateRx: latencyOf(&st.updateRx),
			Notice: latencyOf(&st.notice), Fanout: latencyOf(&st.fanout), FanoutRx: latencyOf(&st.fanoutRx),
			Messages: st.msgs.Load() - m0, Gaps: st.gaps.Load() - g0, GapMessages: st.gapMsgs.Load() - gm0,
			UnknownWon: st.unknownWon.Load() - uw0, Closes: st.closeCounts()}
		if err := enc.Encode(out); err != nil {
			return 1
		}
	}
}
