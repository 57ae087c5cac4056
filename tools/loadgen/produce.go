package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// producer writes events at a fixed rate: wonRate deal.won per second, about 5 % deal.updated
// of a deal the same rep won earlier, the rest activities. It runs in a process of its own
// (`-role producer`, producer_proc.go), as the CRM would: in the viewers' process its writes
// waited behind 10,000 readers for the Go scheduler (61 ms from send to the broker's
// acknowledgement at the median, against 4 ms with 1,000 viewers). Each event's send time
// (taken just before its tick's events are built and written) is in its event_id,
// "lg-<n>-<unix ns>", so the viewers' process reads it from the celebration that names it.
type producer struct {
	w              *kafkago.Writer
	rate, wonRate  int
	reps, teams    int
	produced, won  atomic.Int64
	lateTicks      atomic.Int64
	rng            *rand.Rand
	deals          map[int][]string
	dealSeq, evSeq int
	writeErr       atomic.Value
	acked          hist // a write's send time to the broker's acknowledgement
}

// sentAt is the send time in a loadgen event_id ("lg-<n>-<unix ns>"), as time since start.
func sentAt[T string | []byte](id T, start time.Time) (int64, bool) {
	if len(id) < 3 || string(id[:3]) != "lg-" {
		return 0, false
	}
	i := len(id) - 1
	for i >= 3 && id[i] != '-' {
		i--
	}
	if i < 3 {
		return 0, false
	}
	ns, j := digits([]byte(id[i+1:]))
	if j == 0 || i+1+j != len(id) {
		return 0, false
	}
	return ns - start.UnixNano(), true
}

// notices are when each deal.won's celebration was seen on Redis (ns since start).
type notices struct {
	mu sync.RWMutex
	at map[string]int64
}

func (n *notices) noticed(id string, at int64) {
	n.mu.Lock()
	if n.at == nil {
		n.at = map[string]int64{}
	}
	n.at[id] = at
	n.mu.Unlock()
}

func (n *notices) noticedAt(id []byte) (int64, bool) {
	n.mu.RLock()
	t, ok := n.at[string(id)]
	n.mu.RUnlock()
	return t, ok
}

func (p *producer) event(b []byte, won bool, now time.Time, sent int64) ([]byte, string) {
	rep := p.rng.IntN(p.reps)
	p.evSeq++
	b = append(b, `{"event_id":"lg-`...)
	b = strconv.AppendInt(b, int64(p.evSeq), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, sent, 10)
	typ := "activity"
	var deal string
	amount := 0
	switch {
	case won:
		typ = "deal.won"
		p.dealSeq++
		deal = "deal-" + strconv.Itoa(p.dealSeq)
		amount = 500 + p.rng.IntN(50000)
		p.deals[rep] = append(p.deals[rep], deal)
	case p.rng.IntN(20) == 0 && len(p.deals[rep]) > 0:
		typ = "deal.updated"
		ds := p.deals[rep]
		deal = ds[p.rng.IntN(len(ds))]
		amount = 500 + p.rng.IntN(50000)
	}
	b = append(b, `","type":"`...)
	b = append(b, typ...)
	b = append(b, `","occurred_at":"`...)
	b = now.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	repID := fmt.Sprintf("rep-%04d", rep)
	b = append(b, `","rep_id":"`...)
	b = append(b, repID...)
	b = append(b, `","rep_name":"Rep `...)
	b = strconv.AppendInt(b, int64(rep), 10)
	b = append(b, `","team_id":"team-`...)
	b = strconv.AppendInt(b, int64(rep%p.teams), 10)
	b = append(b, '"')
	if deal != "" {
		b = append(b, `,"deal_id":"`...)
		b = append(b, deal...)
		b = append(b, `","amount":`...)
		b = strconv.AppendInt(b, int64(amount), 10)
		b = append(b, `,"currency":"USD","units":1,"product":"pro"`...)
	} else {
		b = append(b, `,"activity":"`...)
		b = append(b, []string{"call", "call", "meeting", "email", "demo"}[p.rng.IntN(5)]...)
		b = append(b, '"')
	}
	return append(b, '}'), repID
}

// run produces until ctx ends, in ticks of 10 ms, catching up on a late tick.
func (p *producer) run(ctx context.Context) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	t0 := time.Now()
	var due, wonDue float64
	every := 0.0
	if p.wonRate > 0 {
		every = float64(p.rate) / float64(p.wonRate)
	}
	last := t0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			dt := now.Sub(last).Seconds()
			last = now
			due += dt * float64(p.rate)
			n := int(due)
			due -= float64(n)
			if n <= 0 {
				continue
			}
			if n > p.rate { // more than a second behind: the rest is not made up for
				p.lateTicks.Add(1)
				n, due = p.rate, 0
			}
			msgs := make([]kafkago.Message, 0, n)
			won := 0
			sent := time.Now()
			for range n {
				isWon := false
				if every > 0 {
					wonDue++
					if wonDue >= every {
						wonDue -= every
						isWon = true
						won++
					}
				}
				v, rep := p.event(nil, isWon, now, sent.UnixNano())
				msgs = append(msgs, kafkago.Message{Key: []byte(rep), Value: v})
			}
			if err := p.w.WriteMessages(ctx, msgs...); err != nil {
				if ctx.Err() == nil {
					p.writeErr.Store(err)
				}
				return
			}
			p.acked.add(time.Since(sent))
			if time.Since(now) > 10*time.Millisecond {
				p.lateTicks.Add(1)
			}
			p.produced.Add(int64(n))
			p.won.Add(int64(won))
		}
	}
}
