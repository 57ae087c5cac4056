package pipeline

import (
	"context"
	"sync"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/message"
	"bullpen/internal/target"
)

// TargetSets reads a target set with its targets, or only its version (each bullpen.ENotFound
// once it is gone), and finds the sets stored under keys.
type TargetSets interface {
	TargetSet(ctx context.Context, id int64) (target.Stored, error)
	TargetSetVersion(ctx context.Context, id int64) (int64, error)
	StoredSets(ctx context.Context, keys []target.SetKey) (map[target.SetKey]*target.Set, error)
}

// AttainmentValues reads the projection's attainment rows of sets.
type AttainmentValues interface {
	Attainment(ctx context.Context, setIDs []int64) (map[int64]map[string]bullpen.Fixed, error)
}

// AttainmentSender sends a changed target set's board on its team's targets channel and, to
// each rep of the set whose attainment moved since it was last told, an attainment message. It
// is the Merger's for target sets (named by target.Mark among the contests), so it shares the
// Merger's lease and interval: a set's board goes out at most every Interval, whole and with
// absolute values, so any one can be drawn alone.
type AttainmentSender struct {
	Sets   TargetSets
	Values AttainmentValues
	Reps   interface {
		Reps(ctx context.Context, ids []string) (map[string]bullpen.Rep, error)
	}
	Pace target.Pace      // optional: projected and needed_per_day
	Now  func() time.Time // optional: the clock the copies of sets age by (time.Now)

	mu   sync.Mutex
	told map[int64]map[string]message.Attainment // set -> rep -> the attainment last sent
	sets map[int64]setCopy                       // set -> the set as last read whole
}

// A busy set's board goes out a few times a second. Its targets change rarely, so the sender
// keeps a copy of each set and, while the set's version has not moved, reads that one number
// instead of the set and its targets. A copy is read whole again once setCopyAge old whatever
// the version says, so that a change that leaves the version alone (a server of a release
// before migration 018, a fix made by hand in SQL) still reaches the wall within that time.
const (
	setCopyAge   = time.Minute
	maxSetCopies = 1000 // then every copy is dropped: sets of past periods stop being sent
)

type setCopy struct {
	st target.Stored
	at time.Time
}

// set returns set id as stored: the copy while it holds, else read whole and kept.
func (a *AttainmentSender) set(ctx context.Context, id int64) (target.Stored, error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	at := now()
	a.mu.Lock()
	c, ok := a.sets[id]
	a.mu.Unlock()
	if ok && at.Sub(c.at) < setCopyAge {
		v, err := a.Sets.TargetSetVersion(ctx, id)
		if err != nil || v == c.st.Version {
			return c.st, err
		}
	}
	st, err := a.Sets.TargetSet(ctx, id)
	if err != nil {
		return st, err
	}
	a.mu.Lock()
	if a.sets == nil || len(a.sets) >= maxSetCopies {
		a.sets = map[int64]setCopy{}
	}
	a.sets[id] = setCopy{st: st, at: at}
	a.mu.Unlock()
	return st, nil
}

// Send sends set id's board and its reps' attainment that moved.
func (a *AttainmentSender) Send(ctx context.Context, ch Batcher, id int64) error {
	st, err := a.set(ctx, id)
	if bullpen.ErrorCode(err) == bullpen.ENotFound {
		a.mu.Lock()
		delete(a.told, id)
		delete(a.sets, id)
		a.mu.Unlock()
		return nil
	}
	if err != nil {
		return err
	}
	vals, err := a.Values.Attainment(ctx, []int64{id})
	if err != nil {
		return err
	}
	ids := make([]string, len(st.Reps))
	for i, r := range st.Reps {
		ids[i] = r.RepID
	}
	dir, err := a.Reps.Reps(ctx, ids)
	if err != nil {
		return err
	}
	board := target.BuildBoard(&st.Set, st.Targets(), vals[id], dir, a.Pace)
	msgs := make([]bullpen.Queued, 0, 1+len(board.Reps))
	q, err := message.Encode(message.Board(board))
	if err != nil {
		return err
	}
	msgs = append(msgs, q)
	now := make(map[string]message.Attainment, len(board.Reps))
	a.mu.Lock()
	if a.told == nil {
		a.told = map[int64]map[string]message.Attainment{}
	}
	before := a.told[id]
	a.mu.Unlock()
	for _, line := range board.Reps {
		now[line.RepID] = line.Attainment
		if prev, ok := before[line.RepID]; ok && same(prev, line.Attainment) {
			continue
		}
		q, err := message.Encode(message.AttainmentOf(line.RepID, line.Attainment))
		if err != nil {
			return err
		}
		msgs = append(msgs, q)
	}
	if err := ch.PublishQueued(ctx, msgs); err != nil {
		return err
	}
	a.mu.Lock()
	a.told[id] = now
	a.mu.Unlock()
	return nil
}

// SendRemoved tells set id's team that the set, k, is gone: an attainment.board that names it,
// removed. A set stored under k again since (a new id) sends its own board instead, which
// replaces the old one: the removal, sent late, would take the new set off the wall. A set
// written under k after this look marks itself, so its board goes out after the removal.
func (a *AttainmentSender) SendRemoved(ctx context.Context, ch Batcher, id int64, k target.SetKey) error {
	a.mu.Lock()
	delete(a.told, id)
	a.mu.Unlock()
	now, err := a.Sets.StoredSets(ctx, []target.SetKey{k})
	if err != nil {
		return err
	}
	if s := now[k]; s != nil {
		return a.Send(ctx, ch, s.ID)
	}
	q, err := message.Encode(message.RemovedBoard(k.TeamID, k.Period, k.Metric))
	if err != nil {
		return err
	}
	return ch.PublishQueued(ctx, []bullpen.Queued{q})
}

// forget drops what was told (another process sends now).
func (a *AttainmentSender) forget() {
	a.mu.Lock()
	clear(a.told)
	a.mu.Unlock()
}

// same says whether a rep has news: its value or its target moved. Its pace drifts with the
// clock alone, which is no reason to message it.
func same(a, b message.Attainment) bool {
	return a.Value == b.Value && a.Target == b.Target
}
