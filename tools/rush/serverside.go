package main

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The server's own view of the rush's requests: its request duration histogram
// (bullpen_http_request_duration_seconds, on /metrics) read before and after. It times a
// request from when the server has read it to its answer, so against vegeta's latency it
// tells how much of a request's time is the server's work and its waits on Redis and
// PostgreSQL, and how much is before that (the connection's queue, the CPU taken by others).

const durationMetric = "bullpen_http_request_duration_seconds"

// durations is, per route, the histogram's cumulative counts by upper bound (seconds).
type durations map[string]map[float64]uint64

func scrapeDurations(ctx context.Context, base string) (durations, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("server metrics: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("server metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("server metrics: %w", err)
	}
	out := durations{}
	f := families[durationMetric]
	if f == nil {
		return out, nil
	}
	for _, m := range f.GetMetric() {
		route := label(m, "method") + " " + label(m, "route")
		if out[route] == nil {
			out[route] = map[float64]uint64{}
		}
		h := m.GetHistogram()
		for _, b := range h.GetBucket() {
			if !math.IsInf(b.GetUpperBound(), 1) { // the sample count, below
				out[route][b.GetUpperBound()] += b.GetCumulativeCount()
			}
		}
		out[route][math.Inf(1)] += h.GetSampleCount()
	}
	return out, nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// serverLatency is one route's requests between two scrapes: how many, and the bucket bound
// that holds the median and the 99th percentile (the histogram knows no finer).
type serverLatency struct {
	Requests     uint64
	P50, P99     string  // "≤ 25 ms", "> 5000 ms"
	OverGoalPart float64 // the share of requests above the goal (when the goal is a bound)
}

func serverLatencies(before, after durations, routes map[string]string, goal time.Duration) map[string]serverLatency {
	out := map[string]serverLatency{}
	for route, name := range routes {
		cur := after[route]
		if cur == nil {
			continue
		}
		bounds := slices.Sorted(maps.Keys(cur))
		delta := func(b float64) uint64 { return cur[b] - before[route][b] }
		total := delta(math.Inf(1))
		if total == 0 {
			continue
		}
		at := func(q float64) string {
			for i, b := range bounds {
				if float64(delta(b)) < q*float64(total) {
					continue
				}
				if math.IsInf(b, 1) && i > 0 {
					return "> " + strconv.FormatFloat(bounds[i-1]*1000, 'f', -1, 64) + " ms"
				}
				return "≤ " + strconv.FormatFloat(b*1000, 'f', -1, 64) + " ms"
			}
			return "?"
		}
		l := serverLatency{Requests: total, P50: at(0.5), P99: at(0.99)}
		if n, ok := cur[goal.Seconds()]; ok {
			l.OverGoalPart = 1 - float64(n-before[route][goal.Seconds()])/float64(total)
		}
		out[name] = l
	}
	return out
}
