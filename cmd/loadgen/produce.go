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
// of a deal the same rep won earlier, the rest activities. Each event's send time (just before
// the write that carries it) is kept by event_id for the deal.won ones, the only ones a client
// message names.
type producer struct {
	w              *kafkago.Writer
	rate, wonRate  int
	reps, teams    int
	start          time.Time
	sent           map[string]int64 // deal.won event_id -> send time, ns since start
	notices        map[string]int64 // deal.won event_id -> when its celebration was on Redis
	mu             sync.RWMutex
	produced, won  atomic.Int64
	paused         atomic.Bool
	lateTicks      atomic.Int64
	rng            *rand.Rand
	deals          map[int][]string
	dealSeq, evSeq int
	writeErr       atomic.Value
}

// noticed records when the celebration of a deal.won was seen on Redis (ns since start).
func (p *producer) noticed(id string, at int64) {
	p.mu.Lock()
	if p.notices == nil {
		p.notices = map[string]int64{}
	}
	p.notices[id] = at
	p.mu.Unlock()
}

func (p *producer) noticedAt(id string) (int64, bool) {
	p.mu.RLock()
	t, ok := p.notices[id]
	p.mu.RUnlock()
	return t, ok
}

func (p *producer) sentAt(id string) (int64, bool) {
	p.mu.RLock()
	t, ok := p.sent[id]
	p.mu.RUnlock()
	return t, ok
}

func (p *producer) event(b []byte, won bool, now time.Time) ([]byte, string, string) {
	rep := p.rng.IntN(p.reps)
	p.evSeq++
	id := "lg-" + strconv.Itoa(p.evSeq)
	b = append(b, `{"event_id":"`...)
	b = append(b, id...)
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
	return append(b, '}'), id, repID
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
	var k int
	last := t0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if p.paused.Load() {
				last = now
				continue
			}
			dt := now.Sub(last).Seconds()
			last = now
			due += dt * float64(p.rate)
			n := int(due)
			due -= float64(n)
			if n == 0 {
				continue
			}
			msgs := make([]kafkago.Message, 0, n)
			var wonIDs []string
			for range n {
				k++
				won := false
				if every > 0 {
					wonDue++
					if wonDue >= every {
						wonDue -= every
						won = true
					}
				}
				v, id, rep := p.event(nil, won, now)
				if won {
					wonIDs = append(wonIDs, id)
				}
				msgs = append(msgs, kafkago.Message{Key: []byte(rep), Value: v})
			}
			sendAt := int64(time.Since(p.start))
			if len(wonIDs) > 0 {
				p.mu.Lock()
				for _, id := range wonIDs {
					p.sent[id] = sendAt
				}
				p.mu.Unlock()
			}
			if err := p.w.WriteMessages(ctx, msgs...); err != nil {
				if ctx.Err() == nil {
					p.writeErr.Store(err)
				}
				return
			}
			if time.Since(now) > 10*time.Millisecond {
				p.lateTicks.Add(1)
			}
			p.produced.Add(int64(n))
			p.won.Add(int64(len(wonIDs)))
		}
	}
}
