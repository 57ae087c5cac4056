package http

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/message"
	"bullpen/internal/target"
)

// TargetService is the target use-cases (service.Targets).
type TargetService interface {
	Put(ctx context.Context, req *target.Request, by string) (target.Outcome, error)
	Delete(ctx context.Context, k target.SetKey, repID, by string) error
}

// TargetReader reads target sets with their targets, or only the versions of those current
// at a moment (a version moves with every change of its set or the set's targets).
type TargetReader interface {
	TargetSets(ctx context.Context, f target.Filter) ([]target.Stored, error)
	CurrentTargetVersions(ctx context.Context, now time.Time) (map[int64]int64, error)
}

// AttainmentReader reads the projection's attainment rows of sets: set -> rep -> value.
type AttainmentReader interface {
	Attainment(ctx context.Context, setIDs []int64) (map[int64]map[string]bullpen.Fixed, error)
}

// targetInput is a row as a client writes it; target is required (a pointer tells it absent).
type targetInput struct {
	Period   string                   `json:"period"`
	Metric   string                   `json:"metric"`
	TeamID   string                   `json:"team_id"`
	RepID    string                   `json:"rep_id"`
	Target   *bullpen.Fixed           `json:"target"`
	Timezone string                   `json:"timezone"`
	Weights  map[string]bullpen.Fixed `json:"weights"`
}

// TargetView is a target row with its attainment now. A team's line without a target of its
// own shows the sum of its reps' targets, marked derived. A rep's row carries the rep's name,
// so a list of targets reads without a directory lookup per row.
type TargetView struct {
	target.Target
	Name         string         `json:"name,omitempty"`
	Derived      bool           `json:"derived,omitempty"`
	Value        bullpen.Fixed  `json:"value"`
	Pct          *float64       `json:"pct"`
	Projected    *bullpen.Fixed `json:"projected,omitempty"`
	NeededPerDay *bullpen.Fixed `json:"needed_per_day,omitempty"`
}

// putTargets writes targets in bulk, from a JSON array or a CSV file (Content-Type text/csv):
// all of them or none.
func (s *Server) putTargets(c *fiber.Ctx) error {
	var req *target.Request
	var err error
	if ct := strings.ToLower(c.Get(fiber.HeaderContentType)); strings.HasPrefix(ct, "text/csv") {
		req, err = target.ParseCSV(bytes.NewReader(c.Body()))
	} else {
		req, err = decodeTargets(c.Body())
	}
	if err != nil {
		return err
	}
	out, err := s.Targets.Put(c.UserContext(), req, tokenIDOf(c))
	s.forgetTargets() // even on an error: a commit whose answer was lost is a write all the same
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func decodeTargets(body []byte) (*target.Request, error) {
	body = bullpen.TrimJSONSpace(body)
	if len(body) == 0 || body[0] != '[' || !json.Valid(body) {
		return nil, bullpen.Invalid("", "the body must be a JSON array of targets (or CSV with Content-Type: text/csv)")
	}
	if err := check(body, reflect.TypeFor[[]targetInput](), ""); err != nil {
		return nil, err
	}
	var in []targetInput
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, bullpen.Invalid("", "the body does not decode: %v", err)
	}
	if len(in) > target.MaxRows {
		return nil, bullpen.Invalid("", "at most %d targets in one request, not %d", target.MaxRows, len(in))
	}
	req := &target.Request{Rows: make([]target.Target, len(in))}
	for i, t := range in {
		if t.Target == nil {
			return nil, req.Fail(i, "target", "target is required")
		}
		req.Rows[i] = target.Target{Period: t.Period, Metric: t.Metric, TeamID: t.TeamID, RepID: t.RepID, Target: *t.Target,
			Timezone: t.Timezone, Weights: t.Weights}
	}
	return req, nil
}

func (s *Server) deleteTarget(c *fiber.Ctx) error {
	k := target.SetKey{Period: c.Query("period"), Metric: c.Query("metric"), TeamID: c.Query("team_id")}
	for _, q := range []struct{ name, v string }{{"period", k.Period}, {"metric", k.Metric}, {"team_id", k.TeamID}} {
		if q.v == "" {
			return bullpen.Invalid(q.name, "%s is required", q.name)
		}
	}
	err := s.Targets.Delete(c.UserContext(), k, c.Query("rep_id"), tokenIDOf(c))
	s.forgetTargets() // even on an error: a commit whose answer was lost is a write all the same
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// listTargets lists targets with their attainment: staff and displays every row; a rep its own
// rows and its team's line, never a teammate's target.
func (s *Server) listTargets(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f, err := s.targetFilter(c)
	if err != nil {
		return err
	}
	t := tokenOf(c)
	var sets []target.Stored
	if t.Role == bullpen.RoleRep {
		if f.RepID != "" && f.RepID != t.RepID {
			return bullpen.Errorf(bullpen.EPermission, "a rep token sees its own targets only")
		}
		sets, err = s.repTargetSets(ctx, f, t.RepID)
	} else {
		sets, err = s.TargetReader.TargetSets(ctx, f)
	}
	if err != nil {
		return err
	}
	vals, err := s.attainmentOf(ctx, sets)
	if err != nil {
		return err
	}
	dir, err := s.directory(ctx, targetReps(sets))
	if err != nil {
		return err
	}
	items := []TargetView{}
	for i := range sets {
		st := &sets[i]
		teamLine := f.RepID == "" || t.Role == bullpen.RoleRep
		if teamLine && (t.Role != bullpen.RoleRep || f.TeamID == "" || f.TeamID == st.Set.TeamID) {
			items = append(items, s.teamView(st, vals[st.Set.ID]))
		}
		for _, r := range st.Reps {
			if (f.RepID != "" && r.RepID != f.RepID) || (t.Role == bullpen.RoleRep && r.RepID != t.RepID) {
				continue
			}
			v := s.targetView(st, r, vals[st.Set.ID][r.RepID])
			v.Name = dir[r.RepID].Name
			items = append(items, v)
		}
	}
	return c.JSON(list[TargetView]{items})
}

// targetReps are the reps with a target in sets, each once.
func targetReps(sets []target.Stored) []string {
	seen := map[string]bool{}
	var ids []string
	for i := range sets {
		for _, r := range sets[i].Reps {
			if !seen[r.RepID] {
				seen[r.RepID] = true
				ids = append(ids, r.RepID)
			}
		}
	}
	return ids
}

// repTargetSets are the sets a rep may see: those holding its target, and its team's.
func (s *Server) repTargetSets(ctx context.Context, f target.Filter, repID string) ([]target.Stored, error) {
	f.RepID = repID
	own, err := s.TargetReader.TargetSets(ctx, f)
	if err != nil {
		return nil, err
	}
	rep, err := s.RepReader.Rep(ctx, repID)
	if bullpen.ErrorCode(err) == bullpen.ENotFound || (err == nil && rep.TeamID == "") {
		return own, nil
	}
	if err != nil {
		return nil, err
	}
	if f.TeamID != "" && f.TeamID != rep.TeamID {
		return own, nil
	}
	f.RepID, f.TeamID = "", rep.TeamID
	team, err := s.TargetReader.TargetSets(ctx, f)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, st := range own {
		seen[st.Set.ID] = true
	}
	for _, st := range team {
		if !seen[st.Set.ID] {
			own = append(own, st)
		}
	}
	return own, nil
}

func (s *Server) targetFilter(c *fiber.Ctx) (target.Filter, error) {
	f := target.Filter{Period: c.Query("period"), Now: s.Now(), Metric: c.Query("metric"), TeamID: c.Query("team_id"),
		RepID: c.Query("rep_id")}
	if f.Period == "current" {
		f.Period = ""
	}
	if f.Period != "" {
		if _, err := target.ParsePeriod(f.Period); err != nil {
			return f, bullpen.Invalid("period", "period must be current, a month (2026-12) or a quarter (2026-Q4)")
		}
	}
	switch f.Metric {
	case "", "revenue", "deals", "units", "points":
	default:
		return f, bullpen.Invalid("metric", "metric must be revenue, deals, units or points")
	}
	return f, nil
}

// setsWithAttainment reads the sets f selects and their attainment rows.
func (s *Server) setsWithAttainment(ctx context.Context, f target.Filter) ([]target.Stored, map[int64]map[string]bullpen.Fixed, error) {
	sets, err := s.TargetReader.TargetSets(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	vals, err := s.attainmentOf(ctx, sets)
	return sets, vals, err
}

func (s *Server) attainmentOf(ctx context.Context, sets []target.Stored) (map[int64]map[string]bullpen.Fixed, error) {
	return s.AttainmentReader.Attainment(ctx, setIDsOf(sets))
}

// setIDsOf are the ids of sets, in order.
func setIDsOf(sets []target.Stored) []int64 {
	ids := make([]int64, len(sets))
	for i := range sets {
		ids[i] = sets[i].Set.ID
	}
	return ids
}

func (s *Server) targetView(st *target.Stored, r target.Target, value bullpen.Fixed) TargetView {
	a := target.Of(&st.Set, value, r.Target, s.targetPace())
	return viewOf(r, a)
}

func (s *Server) teamView(st *target.Stored, values map[string]bullpen.Fixed) TargetView {
	t := st.Targets()
	a := target.Of(&st.Set, target.TeamValue(values), t.Team(), s.targetPace())
	row := target.Target{Period: st.Set.Period, Metric: st.Set.Metric, TeamID: st.Set.TeamID, Timezone: st.Set.Timezone,
		Weights: st.Set.Weights, Target: a.Target}
	if st.Own != nil {
		row = *st.Own
	}
	v := viewOf(row, a)
	v.Derived = st.Own == nil
	return v
}

func viewOf(r target.Target, a message.Attainment) TargetView {
	return TargetView{Target: r, Value: a.Value, Pct: a.Pct, Projected: a.Projected, NeededPerDay: a.NeededPerDay}
}

// targetPace is where attainments are heading by the server's calendar; nil without one.
func (s *Server) targetPace() target.Pace {
	if s.Calendar == nil {
		return nil
	}
	return target.PaceBy(*s.Calendar, s.Now)
}

// repTargets are the rep's target sets of the current period (a rep arriving at its page asks
// them twice: the page and the socket's snapshot), from the server-wide copy (targetcache.go).
func (s *Server) repTargets(ctx context.Context, repID string, now time.Time) ([]target.Stored, error) {
	cur, err := s.sharedCurrentTargets(ctx)
	if err != nil {
		return nil, err
	}
	return cur.of(repID, now), nil
}

// repAttainment is the rep's attainment of each of its targets in sets, its values vals (the
// projection's, by set).
func (s *Server) repAttainment(sets []target.Stored, vals map[int64]bullpen.Fixed) []message.Attainment {
	out := make([]message.Attainment, 0, len(sets))
	for i := range sets {
		st := &sets[i]
		for _, r := range st.Reps {
			out = append(out, target.Of(&st.Set, vals[st.Set.ID], r.Target, s.targetPace()))
		}
	}
	return out
}
