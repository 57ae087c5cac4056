package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"bullpen/internal/achievement"
	"bullpen/internal/target"
)

// maxKnownReps bounds what a process keeps of reps' badges: about 1.7 KB a rep with a day, a
// period and a target known (measured; most of it the maps), so some 35 MB at most. Past it,
// it starts again from nothing (a floor that large reads more of its reps).
const maxKnownReps = 20_000

// knownReps is what this process keeps of reps' badges between batches (achievement.Known),
// each with the epoch it was learnt under, all under one set of rules: a batch decides the
// reps it touched from what is known of them when it can (Known.Sketch), and reads the
// others from the ledger.
//
// An epoch is a random number drawn by the last transaction that read a rep's badges from the
// ledger to judge them, or changed one of its targets (table achievement_epochs, written
// under the rep's balance lock; random rather than a transaction id, which a database
// restored elsewhere would count through again). A batch reads its reps' epochs right after
// taking their locks. A rep whose epoch is not the one its Known was learnt under was changed
// by someone else (a consumer that had its partition during a rebalance, a deal moved away
// from it by another rep's event, a manager's target) and is read, and learnt, again. Only the
// process that drew a rep's epoch can know the rep under it, so a batch that decides a rep
// from what is known keeps the epoch and updates what it knows once it has committed; until
// then the rep is busy, and another batch of the process reads it instead.
type knownReps struct {
	mu    sync.Mutex
	rules achievement.Rules
	reps  map[string]*knownRep
	busy  map[string]int // reps a running batch decided from what is known

	known, read atomic.Int64 // reps decided from what was known, reps read from the ledger
}

type knownRep struct {
	epoch int64
	known achievement.Known
}

// learning is what a batch's judging knew and chose, for its reps to be learnt once the batch
// has committed.
type learning struct {
	rules achievement.Rules
	epoch int64            // the read reps' epoch now
	prior map[string]int64 // each rep's epoch when the batch locked it
	read  map[string]bool  // the reps read from the ledger (the others were known)
	reps  []achievement.Rep
	moves map[string][]achievement.Move
	outs  []achievement.Outcome // what Decide chose for each of reps
	out   achievement.Outcome   // all of it, in rep order
}

// lockAndReadEpochs locks the reps' balances (LockBalances) and, in the same round trip,
// reads their epochs (0: none yet).
func lockAndReadEpochs(ctx context.Context, tx pgx.Tx, repIDs []string) (map[string]int64, error) {
	b := &pgx.Batch{}
	queueBalanceLocks(b, repIDs)
	b.Queue(`SELECT rep_id, epoch FROM achievement_epochs WHERE rep_id = ANY($1)`, repIDs)
	br := tx.SendBatch(ctx, b)
	defer func() { _ = br.Close() }()
	for range b.Len() - 1 {
		if _, err := br.Exec(); err != nil {
			return nil, fmt.Errorf("lock balances: %w", err)
		}
	}
	epochs := make(map[string]int64, len(repIDs))
	var id string
	var epoch int64
	rows, _ := br.Query()
	if _, err := pgx.ForEachRow(rows, []any{&id, &epoch}, func() error {
		epochs[id] = epoch
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read achievement epochs: %w", err)
	}
	return epochs, br.Close()
}

// newEpoch draws an epoch: never 0, which stands for none.
func newEpoch() int64 {
	for {
		if e := rand.Int64(); e != 0 {
			return e
		}
	}
}

// queueEpochs queues the write of epoch for repIDs (sorted: two writers take the rows in one
// order), whose balance locks the transaction holds.
func queueEpochs(b *pgx.Batch, repIDs []string, epoch int64) {
	b.Queue(`INSERT INTO achievement_epochs AS e (rep_id, epoch)
		SELECT rep_id, $2 FROM unnest($1::text[]) AS u(rep_id) ORDER BY rep_id
		ON CONFLICT (rep_id) DO UPDATE SET epoch = excluded.epoch`, repIDs, epoch)
}

// bumpEpochs marks, for a writer other than the judging (a target's change), that the reps'
// badges must be judged from the ledger again: it takes their balance locks, so that no batch
// is judging them meanwhile, and writes them a new epoch.
func bumpEpochs(ctx context.Context, tx pgx.Tx, repIDs []string) error {
	if len(repIDs) == 0 {
		return nil
	}
	if err := LockBalances(ctx, tx, repIDs); err != nil {
		return err
	}
	b := &pgx.Batch{}
	ids := slices.Clone(repIDs)
	slices.Sort(ids)
	queueEpochs(b, slices.Compact(ids), newEpoch())
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("mark achievements to judge again: %w", err)
	}
	return nil
}

// decided is a rep decided from what was known of it: its sketch and what Decide chose.
type decided struct {
	rep achievement.Rep
	out achievement.Outcome
}

// plan splits a batch's reps into those decided from what is known of them under these rules
// and their epoch now (by rep id; marked busy until release), which Decide revokes nothing
// of, and the others, to read from the ledger (sorted by id, as given).
func (k *knownReps) plan(in achievement.Input, moves map[string][]achievement.Move, epochs map[string]int64) (map[string]decided, []achievement.Rep) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rules != in.Rules {
		k.rules, k.reps = in.Rules, nil
	}
	known := map[string]decided{}
	var read []achievement.Rep
	for _, r := range in.Reps {
		if e := k.reps[r.RepID]; e != nil && e.epoch == epochs[r.RepID] && k.busy[r.RepID] == 0 {
			if s, ok := e.known.Sketch(in.Rules, r, moves[r.RepID]); ok {
				if out := decide(in, s); len(out.Revoked) == 0 { // a revocation names the badge's row
					known[r.RepID] = decided{s, out}
					continue
				}
			}
		}
		read = append(read, r)
	}
	if len(known) > 0 && k.busy == nil {
		k.busy = map[string]int{}
	}
	for id := range known {
		k.busy[id]++
	}
	k.known.Add(int64(len(known)))
	k.read.Add(int64(len(read)))
	return known, read
}

// learn records what a committed batch knew and chose, and releases its busy reps. A rep it
// read starts again from what it read (or adds to what was known, when nobody changed the rep
// since), under the batch's new epoch; a rep it decided from what was known adds to it, under
// the same epoch, unless the rep changed meanwhile (then the next batch reads it).
func (k *knownReps) learn(l *learning) {
	if l == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.releaseLocked(l)
	if k.rules != l.rules {
		return // the rules changed meanwhile: this was learnt under others
	}
	if k.reps == nil || len(k.reps) > maxKnownReps {
		k.reps = map[string]*knownRep{}
	}
	for i, r := range l.reps {
		e := k.reps[r.RepID]
		fresh := e == nil || e.epoch != l.prior[r.RepID]
		if !l.read[r.RepID] {
			if !fresh {
				e.known.Learn(r, l.moves[r.RepID], l.outs[i])
			}
			continue
		}
		if fresh {
			e = &knownRep{}
			k.reps[r.RepID] = e
		}
		e.known.Learn(r, l.moves[r.RepID], l.outs[i])
		e.epoch = l.epoch
	}
}

// release frees the busy reps of a batch that did not commit: what is known of them stands,
// as the ledger does.
func (k *knownReps) release(l *learning) {
	if l == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.releaseLocked(l)
}

func (k *knownReps) releaseLocked(l *learning) {
	for _, r := range l.reps {
		if !l.read[r.RepID] {
			if k.busy[r.RepID]--; k.busy[r.RepID] <= 0 {
				delete(k.busy, r.RepID)
			}
		}
	}
}

// JudgedReps says how many reps touched by this process's batches were decided from what it
// knew of them, and how many were read from the ledger, since it started.
func (db *DB) JudgedReps() (known, read int64) {
	return db.known.known.Load(), db.known.read.Load()
}

// decide is what Decide chooses for one rep.
func decide(in achievement.Input, r achievement.Rep) achievement.Outcome {
	in.Reps = []achievement.Rep{r}
	return achievement.Decide(in)
}

// movesByRep are the batch's attainment moves by rep, for the quota club rule.
func movesByRep(rules achievement.Rules, moved []target.Value) map[string][]achievement.Move {
	if !rules.QuotaClub.Enabled {
		return nil
	}
	out := map[string][]achievement.Move{}
	for _, v := range moved {
		out[v.RepID] = append(out[v.RepID], achievement.Move{SetID: v.SetID, Value: v.Value})
	}
	return out
}
