package webhook

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Schedule is when a failed delivery is tried again: after a random wait between 0 and
// min(Cap, Base × 2^failures) ("full jitter", so receivers that fail together are not retried
// together), until it has been failing for GiveUpAfter; then it is given up and its endpoint
// disabled.
type Schedule struct {
	Base        time.Duration
	Cap         time.Duration
	GiveUpAfter time.Duration
	Rand        func() float64 // in [0, 1); default math/rand/v2
}

// DefaultSchedule: 5 s doubling to an hour, for 24 h.
var DefaultSchedule = Schedule{Base: 5 * time.Second, Cap: time.Hour, GiveUpAfter: 24 * time.Hour}

// Wait is how long to wait after a delivery's failures-th failure (1 for the first).
func (s Schedule) Wait(failures int) time.Duration {
	ceiling := s.Cap
	if failures < 1 {
		failures = 1
	}
	if shift := failures - 1; shift < 40 {
		if d := s.Base << shift; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	r := s.Rand
	if r == nil {
		r = rand.Float64
	}
	return time.Duration(r() * float64(ceiling))
}

// Result is what one request came to.
type Result struct {
	Status  int           // the HTTP status, 0 when there was none
	Err     error         // the failure, nil for a 2xx
	Latency time.Duration // from sending to the answer or the failure
}

// Decide is what becomes of d after an attempt that came to res, answered (or failed) at now:
// delivered (a 2xx), or tried again later, or, once it has been failing for GiveUpAfter, given
// up. Anything but a 2xx is a failure, a redirect too (it is not followed).
func (s Schedule) Decide(d Delivery, res Result, now time.Time) Outcome {
	o := Outcome{Attempt: Attempt{DeliveryID: d.ID, Type: d.Type, Attempt: d.Attempts + 1, At: now.Add(-res.Latency),
		LatencyMS: int(res.Latency.Milliseconds())}}
	if res.Status != 0 {
		o.Status = &res.Status
	}
	if res.Err == nil && res.Status >= 200 && res.Status < 300 {
		o.Delivered = true
		return o
	}
	msg := "answered " + fmt.Sprint(res.Status)
	if res.Err != nil {
		msg = res.Err.Error()
	}
	if len(msg) > 500 {
		msg = msg[:500]
	}
	o.Error = &msg
	since := now
	if d.FirstFailedAt != nil {
		since = *d.FirstFailedAt
	}
	if now.Sub(since) >= s.GiveUpAfter {
		o.GaveUp = true
		o.DisableReason = fmt.Sprintf("failing since %s (%d attempts); last: %s", since.UTC().Format(time.RFC3339), o.Attempt.Attempt, msg)
		return o
	}
	next := now.Add(s.Wait(d.Attempts + 1))
	o.NextAttempt = &next
	return o
}
