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

// maxKnownReps bounds what a process keeps of reps' badges (about a kilobyte a rep, most of it
// its maps): past it, it starts again from nothing.
const maxKnownReps = 50_000

// knownReps is what this process keeps of reps' badges between batches (achievement.Known),
// each with the epoch it was learnt under, all under one set of rules: a batch judges only
// the reps it touched that are not Settled by what is known of them.
//
// An epoch is a random number drawn by the last transaction that judged the rep's badges or
// changed one of its targets (table achievement_epochs, written under the rep's balance lock:
// see bumpEpochs; random rather than a transaction id, which a database restored elsewhere
// would count through again). A batch reads its reps' epochs right after taking their locks; a rep whose
// epoch is not the one its Known was learnt under was changed by someone else (a consumer
// that had its partition during a rebalance, a deal moved away from it by another rep's
// event, a manager's target) and is judged, and learnt, again. A batch in which a rep is
// Settled changes nothing Known holds of it, so it leaves the epoch alone.
type knownReps struct {
	mu    sync.Mutex
	rules achievement.Rules
	reps  map[string]*knownRep

	settled, judged atomic.Int64 // reps a batch left alone, reps it judged
}

type knownRep struct {
	epoch int64
	known achievement.Known
}

// learning is what a batch's judging read and chose, for its reps to be learnt once the batch
// has committed.
type learning struct {
	rules achievement.Rules
	epoch int64            // the batch's epoch: the judged reps' now
	prior map[string]int64 // each judged rep's epoch when the batch locked it
	reps  []achievement.Rep
	moves map[string][]achievement.Move
	out   achievement.Outcome
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

// unsettled are the reps (sorted by id, as given) that the batch must judge: every one not
// Settled by what is known of it under these rules and its epoch now.
func (k *knownReps) unsettled(rules achievement.Rules, reps []achievement.Rep, moves map[string][]achievement.Move, epochs map[string]int64) []achievement.Rep {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rules != rules {
		k.rules, k.reps = rules, nil
	}
	var out []achievement.Rep
	for _, r := range reps {
		e := k.reps[r.RepID]
		if e != nil && e.epoch == epochs[r.RepID] && e.known.Settled(rules, r, moves[r.RepID]) {
			continue
		}
		out = append(out, r)
	}
	k.settled.Add(int64(len(reps) - len(out)))
	k.judged.Add(int64(len(out)))
	return out
}

// learn records what a committed batch's judging read and chose. A rep known under the epoch
// the batch found adds to what was known; any other starts again from what the batch read.
func (k *knownReps) learn(l *learning) {
	if l == nil || len(l.reps) == 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rules != l.rules {
		return // the rules changed meanwhile: this was learnt under others
	}
	if k.reps == nil || len(k.reps) > maxKnownReps {
		k.reps = map[string]*knownRep{}
	}
	for _, r := range l.reps {
		e := k.reps[r.RepID]
		if e == nil || e.epoch != l.prior[r.RepID] {
			e = &knownRep{}
			k.reps[r.RepID] = e
		}
		e.known.Learn(r, l.moves[r.RepID], l.out)
		e.epoch = l.epoch
	}
}

// JudgedReps says how many reps touched by this process's batches were left alone (settled)
// and how many were judged from the ledger, since it started.
func (db *DB) JudgedReps() (settled, judged int64) {
	return db.known.settled.Load(), db.known.judged.Load()
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
