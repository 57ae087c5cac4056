package target

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"bullpen/internal/bullpen"
)

// CSV columns, by header name. period, metric, team_id and target are required; rep_id empty
// is the team's own target; weights is a JSON object, as in the JSON form.
var csvColumns = []string{"period", "metric", "team_id", "rep_id", "target", "timezone", "weights"}

// MaxRows bounds one request, JSON or CSV.
const MaxRows = 100_000

// ParseCSV reads a CSV file (RFC 4180, a header row naming the columns) into a request whose
// errors name the line and column. It is all or nothing: the first bad cell fails it.
func ParseCSV(r io.Reader) (*Request, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // every line as long as the header
	header, err := cr.Read()
	if err == io.EOF {
		return nil, bullpen.Invalid("line 1", "line 1: the header row is missing")
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols := map[string]int{}
	for i, name := range header {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		known := false
		for _, c := range csvColumns {
			known = known || c == name
		}
		if !known {
			where := fmt.Sprintf("line 1, column %s", name)
			return nil, bullpen.Invalid(where, "%s: unknown column; the columns are %s", where, strings.Join(csvColumns, ","))
		}
		if _, dup := cols[name]; dup {
			where := fmt.Sprintf("line 1, column %s", name)
			return nil, bullpen.Invalid(where, "%s: the column is named twice", where)
		}
		cols[name] = i
	}
	for _, need := range []string{"period", "metric", "team_id", "target"} {
		if _, ok := cols[need]; !ok {
			where := fmt.Sprintf("line 1, column %s", need)
			return nil, bullpen.Invalid(where, "%s: the header has no column %s", where, need)
		}
	}
	req := &Request{Lines: []int{}}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(req.Rows) == MaxRows {
			return nil, bullpen.Invalid(fmt.Sprintf("line %d", line), "line %d: at most %d targets in one request", line, MaxRows)
		}
		cell := func(name string) string {
			if i, ok := cols[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		t := Target{Period: cell("period"), Metric: cell("metric"), TeamID: cell("team_id"), RepID: cell("rep_id"),
			Timezone: cell("timezone")}
		req.Rows = append(req.Rows, t)
		req.Lines = append(req.Lines, line)
		i := len(req.Rows) - 1
		v, err := bullpen.ParseFixed(cell("target"))
		if err != nil {
			return nil, req.Fail(i, "target", "target must be a decimal number with at most 2 places, not %q", cell("target"))
		}
		req.Rows[i].Target = v
		if w := cell("weights"); w != "" {
			if err := json.Unmarshal([]byte(w), &req.Rows[i].Weights); err != nil || req.Rows[i].Weights == nil {
				return nil, req.Fail(i, "weights", "weights must be a JSON object of decimal numbers")
			}
		}
	}
	if len(req.Rows) == 0 {
		return nil, bullpen.Invalid("line 2", "line 2: no targets after the header")
	}
	return req, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		where := fmt.Sprintf("line %d", pe.Line)
		return bullpen.Invalid(where, "%s: %v", where, pe.Err)
	}
	return bullpen.Invalid("", "the body is not CSV: %v", err)
}
