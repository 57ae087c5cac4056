package service

import (
	"context"
	"log/slog"

	"bullpen/internal/target"
)

// TargetStore is the ledger's side of the target use-cases.
type TargetStore interface {
	// StoredSets returns the stored sets among keys.
	StoredSets(ctx context.Context, keys []target.SetKey) (map[target.SetKey]*target.Set, error)
	// TargetDirectory says which teams have a rep and which of the reps exist.
	TargetDirectory(ctx context.Context, teams, reps []string) (target.Directory, error)
	// WriteTargets applies planned changes in one transaction with their audit records, and
	// counts again from the ledger the sets that are new or count differently.
	WriteTargets(ctx context.Context, changes []target.Change, by string) (target.Outcome, error)
	// DeleteTarget removes one target; the last one of a set removes the set (gone).
	DeleteTarget(ctx context.Context, k target.SetKey, repID, by string) (setID int64, gone bool, err error)
}

// AttainmentProjection is the live projection's side: attainment rows, and the marks that
// have the merger send a changed set's board and its reps' attainment.
type AttainmentProjection interface {
	SetAttainment(ctx context.Context, vals []target.Value) error
	DeleteSet(ctx context.Context, setID int64) error
	MarkChanged(ctx context.Context, ids []string) error
}

// TargetDeps is what the target use-cases need.
type TargetDeps struct {
	Store      TargetStore
	Projection AttainmentProjection
	// Timezone is the time zone of a new set that names none (BULLPEN_TIMEZONE).
	Timezone string
	Logger   *slog.Logger
}

// Targets writes and removes targets.
type Targets struct {
	store TargetStore
	proj  AttainmentProjection
	tz    string
	log   *slog.Logger
}

// NewTargets builds the target use-cases.
func NewTargets(d TargetDeps) *Targets {
	_, log := orDefaults(nil, d.Logger)
	tz := d.Timezone
	if tz == "" {
		tz = "UTC"
	}
	return &Targets{store: d.Store, proj: d.Projection, tz: tz, log: log}
}

// Put writes the rows of req (all or none; by is the token writing them): checked row by row,
// set by set and against the directory (target.Plan), then stored. Sets that are new or count
// differently are counted again from the ledger; their rows go to the projection, and every
// set touched is marked for the merger, so boards and reps hear of new targets at once.
func (s *Targets) Put(ctx context.Context, req *target.Request, by string) (target.Outcome, error) {
	keys, teams, reps := requestNames(req)
	stored, err := s.store.StoredSets(ctx, keys)
	if err != nil {
		return target.Outcome{}, err
	}
	dir, err := s.store.TargetDirectory(ctx, teams, reps)
	if err != nil {
		return target.Outcome{}, err
	}
	changes, err := target.Plan(req, stored, s.tz, dir)
	if err != nil {
		return target.Outcome{}, err
	}
	out, err := s.store.WriteTargets(ctx, changes, by)
	if err != nil {
		return target.Outcome{}, err
	}
	// The change is committed: a projection failure is logged, and a rebuild heals it.
	if err := s.proj.SetAttainment(ctx, out.Recounted); err != nil {
		s.log.Error("load recounted attainment into redis", "err", err)
	}
	marks := make([]string, len(out.Sets))
	for i, set := range out.Sets {
		marks[i] = target.Mark(set.ID)
	}
	if err := s.proj.MarkChanged(ctx, marks); err != nil {
		s.log.Error("mark target sets changed", "err", err)
	}
	return out, nil
}

// Delete removes one target (repID empty: the team's own); by is the token doing it. The set
// is marked for the merger, which sends its board, or, when that was its last target, tells its
// team that it is gone (target.RemovedMark).
func (s *Targets) Delete(ctx context.Context, k target.SetKey, repID, by string) error {
	id, gone, err := s.store.DeleteTarget(ctx, k, repID, by)
	if err != nil {
		return err
	}
	mark := target.Mark(id)
	if gone {
		mark = target.RemovedMark(id, k)
		if err := s.proj.DeleteSet(ctx, id); err != nil {
			s.log.Error("remove a target set from redis", "set", id, "err", err)
		}
	}
	if err := s.proj.MarkChanged(ctx, []string{mark}); err != nil {
		s.log.Error("mark a target set changed", "set", id, "err", err)
	}
	return nil
}

func requestNames(req *target.Request) (keys []target.SetKey, teams, reps []string) {
	seenK, seenT, seenR := map[target.SetKey]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range req.Rows {
		if k := r.Key(); !seenK[k] {
			seenK[k] = true
			keys = append(keys, k)
		}
		if !seenT[r.TeamID] {
			seenT[r.TeamID] = true
			teams = append(teams, r.TeamID)
		}
		if r.RepID != "" && !seenR[r.RepID] {
			seenR[r.RepID] = true
			reps = append(reps, r.RepID)
		}
	}
	return keys, teams, reps
}
