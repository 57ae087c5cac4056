package pipeline

import (
	"context"
	"sync"

	"bullpen/internal/bullpen"
	"bullpen/internal/message"
	"bullpen/internal/target"
)

// TargetSets reads a target set with its targets (bullpen.ENotFound once it is gone), and
// finds the sets stored under keys.
type TargetSets interface {
	TargetSet(ctx context.Context, id int64) (target.Stored, error)
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
	Pace target.Pace // optional: projected and needed_per_day

	mu   sync.Mutex
	told map[int64]map[string]message.Attainment // set -> rep -> the attainment last sent
}

// Send sends set id's board and its reps' attainment that moved.
func (a *AttainmentSender) Send(ctx context.Context, ch Batcher, id int64) error {
	st, err := a.Sets.TargetSet(ctx, id)
	if bullpen.ErrorCode(err) == bullpen.ENotFound {
		a.mu.Lock()
		delete(a.told, id)
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
