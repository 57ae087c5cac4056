package target

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// Request is the rows of one bulk write and where each came from, so that an error names the
// row as its sender wrote it: "3.target" for the fourth element of a JSON array, "line 7,
// column target" for a CSV file.
type Request struct {
	Rows  []Target
	Lines []int // the CSV line of each row; nil for JSON
}

// Fail is an invalid_argument error naming field of row i.
func (r *Request) Fail(i int, field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if r.Lines != nil {
		where := fmt.Sprintf("line %d, column %s", r.Lines[i], field)
		return bullpen.Invalid(where, "%s: %s", where, msg)
	}
	return bullpen.Invalid(fmt.Sprintf("%d.%s", i, field), "%s", msg)
}

// maxTarget bounds a target like an event amount (10^12 major units).
const maxTarget = bullpen.FixedLimit

// Directory is what the rep directory says of the teams and reps a request names.
type Directory struct {
	Teams map[string]bool        // the teams that have at least one rep
	Reps  map[string]bullpen.Rep // the named reps that exist
}

// Change is what a request does to one set: its rules once the request is applied and the
// rows it writes. Recount says whether the set is new or its rules changed, so its attainment
// must be counted again from the ledger.
type Change struct {
	Set     Set
	Rows    []Target
	Recount bool
}

// Plan checks a request and groups it by set: every row on its own, then the rows of a set
// against each other (a set's time zone and weights are one: the rows that name them must
// agree; the others inherit the stored set's, or for a new set the default time zone), then
// against the directory (the team exists; a rep exists and is in that team). stored holds the
// sets the request names that exist already. The first error names its row and column.
func Plan(req *Request, stored map[SetKey]*Set, defaultTZ string, dir Directory) ([]Change, error) {
	if len(req.Rows) == 0 {
		return nil, bullpen.Invalid("", "no targets given")
	}
	for i := range req.Rows {
		if err := checkRow(req, i); err != nil {
			return nil, err
		}
	}
	var order []SetKey
	changes := map[SetKey]*Change{}
	first := map[SetKey]int{}
	seen := map[SetKey]map[string]int{}
	tzFrom, wFrom := map[SetKey]int{}, map[SetKey]int{}
	for i := range req.Rows {
		t := &req.Rows[i]
		k := t.Key()
		ch := changes[k]
		if ch == nil {
			ch = &Change{Set: Set{Period: k.Period, Metric: k.Metric, TeamID: k.TeamID}}
			changes[k], first[k], seen[k] = ch, i, map[string]int{}
			order = append(order, k)
		}
		if j, dup := seen[k][t.RepID]; dup {
			return nil, req.Fail(i, idField(t), "the same target is given twice (also in %s)", where(req, j))
		}
		seen[k][t.RepID] = i
		if t.Timezone != "" {
			if j, ok := tzFrom[k]; ok && req.Rows[j].Timezone != t.Timezone {
				return nil, req.Fail(i, "timezone", "a set has one time zone: %s says %q", where(req, j), req.Rows[j].Timezone)
			}
			tzFrom[k] = i
			ch.Set.Timezone = t.Timezone
		}
		if t.Weights != nil {
			if j, ok := wFrom[k]; ok && !maps.Equal(req.Rows[j].Weights, t.Weights) {
				return nil, req.Fail(i, "weights", "a set has one set of weights: %s gives others", where(req, j))
			}
			wFrom[k] = i
			ch.Set.Weights = t.Weights
		}
		ch.Rows = append(ch.Rows, *t)
	}
	for i := range req.Rows {
		if err := checkDirectory(req, i, dir); err != nil {
			return nil, err
		}
	}
	out := make([]Change, 0, len(order))
	for _, k := range order {
		ch := changes[k]
		old := stored[k]
		if ch.Set.Timezone == "" {
			ch.Set.Timezone = defaultTZ
			if old != nil {
				ch.Set.Timezone = old.Timezone
			}
		}
		if ch.Set.Weights == nil && old != nil {
			ch.Set.Weights = old.Weights
		}
		if k.Metric == contest.MetricPoints && len(ch.Set.Weights) == 0 {
			return nil, req.Fail(first[k], "weights", "a points target set needs weights")
		}
		loc, err := time.LoadLocation(ch.Set.Timezone)
		if err != nil {
			return nil, req.Fail(first[k], "timezone", "unknown time zone %q", ch.Set.Timezone)
		}
		p, _ := ParsePeriod(k.Period)
		ch.Set.Start, ch.Set.End = p.Bounds(loc)
		if old != nil {
			ch.Set.ID = old.ID
		}
		ch.Recount = old == nil || old.Timezone != ch.Set.Timezone || !maps.Equal(old.Weights, ch.Set.Weights)
		out = append(out, *ch)
	}
	return out, nil
}

func idField(t *Target) string {
	if t.RepID == "" {
		return "team_id"
	}
	return "rep_id"
}

func where(req *Request, i int) string {
	if req.Lines != nil {
		return fmt.Sprintf("line %d", req.Lines[i])
	}
	return fmt.Sprintf("row %d", i)
}

// checkRow checks what a row says by itself.
func checkRow(req *Request, i int) error {
	t := &req.Rows[i]
	if t.Period == "" {
		return req.Fail(i, "period", "period is required")
	}
	if _, err := ParsePeriod(t.Period); err != nil {
		return req.Fail(i, "period", "%v", err)
	}
	switch t.Metric {
	case contest.MetricRevenue, contest.MetricDeals, contest.MetricUnits, contest.MetricPoints:
	case "":
		return req.Fail(i, "metric", "metric is required")
	default:
		return req.Fail(i, "metric", "metric must be revenue, deals, units or points, not %q", t.Metric)
	}
	if !bullpen.ValidID(t.TeamID) {
		return req.Fail(i, "team_id", "team_id must be 1 to 100 characters of UTF-8 text without control characters")
	}
	if err := bullpen.CheckText("rep_id", t.RepID, false, 100); err != nil {
		return req.Fail(i, "rep_id", "rep_id must be at most 100 characters of UTF-8 text without NUL")
	}
	if t.Target < 0 {
		return req.Fail(i, "target", "a target must not be negative")
	}
	if t.Target >= maxTarget {
		return req.Fail(i, "target", "a target must be below 10^12")
	}
	if t.Timezone != "" {
		if _, err := time.LoadLocation(t.Timezone); err != nil || t.Timezone == "Local" {
			return req.Fail(i, "timezone", "unknown time zone %q", t.Timezone)
		}
	}
	if t.Weights != nil {
		if err := checkWeights(t.Metric, t.Weights); err != nil {
			var e *bullpen.Error
			if !errors.As(err, &e) {
				return err
			}
			return req.Fail(i, e.Field, "%s", e.Message)
		}
	}
	return nil
}

// checkWeights holds a set's weights to the contests' own rules (contest.Normalize), so both
// take the same names and refuse the same values.
func checkWeights(metric string, w map[string]bullpen.Fixed) error {
	if metric != contest.MetricPoints {
		return bullpen.Invalid("weights", "weights apply to metric points only")
	}
	end := time.Unix(1, 0)
	c := contest.Contest{Name: "weights", Metric: metric, Weights: maps.Clone(w), StartsAt: time.Unix(0, 0), EndsAt: &end}
	return c.Normalize()
}

// checkDirectory holds a row to the directory: its team exists, and a rep is in that team.
func checkDirectory(req *Request, i int, dir Directory) error {
	t := &req.Rows[i]
	if !dir.Teams[t.TeamID] {
		return req.Fail(i, "team_id", "no rep is in team %q", t.TeamID)
	}
	if t.RepID == "" {
		return nil
	}
	r, ok := dir.Reps[t.RepID]
	switch {
	case !ok:
		return req.Fail(i, "rep_id", "rep %q is not in the directory", t.RepID)
	case r.TeamID != t.TeamID:
		return req.Fail(i, "team_id", "rep %q is in team %q, not %q", t.RepID, r.TeamID, t.TeamID)
	}
	return nil
}
