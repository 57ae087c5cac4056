package http

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"bullpen/internal/bullpen"
)

// Balances the projection lacks (Redis lost or flushed, or reps it never held: a morning's
// first pages of reps with no points yet) are read from the ledger in batches: up to
// balanceReaders reads run at once; while they are under way, the reps asked for meanwhile
// gather, and the next read takes them all in one query. A rep already in a read under way
// waits for it. Each is then written back to the projection (if absent there still) unless its
// reader found Redis failing. In the morning rush these reads were one query per rep, a few
// hundred waiting for the server's PostgreSQL connections at once; with one read at a time, a
// rep waited for the read under way and then for its own.
type balanceReads struct {
	mu       sync.Mutex
	pending  map[string]*balanceRead // for the next read
	inFlight map[string]*balanceRead // in the reads under way
	running  int                     // reads under way
}

// balanceReaders bounds the ledger reads under way at once: half of the server's PostgreSQL
// pool at its least (internal/postgres.Open: 8), so a stampede of them (a lost Redis in the
// morning rush) leaves the rest to the token look-ups and the other reads.
const balanceReaders = 4

type balanceRead struct {
	done     chan struct{}
	balance  bullpen.Balance
	err      error
	redisErr bool // a reader found Redis failing: do not write it back
}

// ledgerBalance is a rep's points balance read from the ledger, for a projection that has
// none (redisErr when Redis failed).
func (s *Server) ledgerBalance(ctx context.Context, repID string, redisErr error) (int64, error) {
	if redisErr != nil {
		s.Logger.Warn("read balance from redis; reading the ledger", "rep_id", repID, "err", redisErr)
	}
	repID = strings.Clone(repID) // kept past this request, whose bytes Fiber reuses
	b := &s.balanceReads
	b.mu.Lock()
	r := b.inFlight[repID]
	if r == nil {
		if r = b.pending[repID]; r == nil {
			if b.pending == nil {
				b.pending = map[string]*balanceRead{}
			}
			r = &balanceRead{done: make(chan struct{})}
			b.pending[repID] = r
		}
		r.redisErr = r.redisErr || redisErr != nil
		if b.running < balanceReaders {
			b.running++
			go s.readBalances()
		}
	}
	b.mu.Unlock()
	select {
	case <-r.done:
		return r.balance.Points, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// readBalances reads what is pending, batch after batch, until nothing is (one of up to
// balanceReaders at once).
func (s *Server) readBalances() {
	b := &s.balanceReads
	for {
		b.mu.Lock()
		batch := b.pending
		b.pending = nil
		if len(batch) == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		if b.inFlight == nil {
			b.inFlight = map[string]*balanceRead{}
		}
		maps.Copy(b.inFlight, batch)
		b.mu.Unlock()

		s.readBatch(batch)
		b.mu.Lock()
		for id := range batch {
			delete(b.inFlight, id)
		}
		b.mu.Unlock()
	}
}

// readBatch reads the batch's balances, writes them back, and then answers its readers: an
// answer read from the ledger means the projection holds a balance now.
func (s *Server) readBatch(batch map[string]*balanceRead) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	balances, err := s.LedgerReader.Balances(ctx, slices.Collect(maps.Keys(batch)))
	if err == nil {
		back := map[string]bullpen.Balance{}
		for id, r := range batch {
			if !r.redisErr {
				back[id] = balances[id]
			}
		}
		if err := s.BalanceCache.InitBalances(ctx, back); err != nil {
			s.Logger.Warn("write balances to redis", "reps", len(back), "err", err)
		}
	}
	for id, r := range batch {
		r.balance, r.err = balances[id], err
		close(r.done)
	}
}
