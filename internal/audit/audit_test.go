package audit_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"bullpen/internal/audit"
	"bullpen/internal/bullpen"
)

type thing struct {
	Name   string     `json:"name"`
	Prizes []int      `json:"prizes"`
	Ended  *time.Time `json:"ended_at,omitempty"`
	Status string     `json:"status"`
}

func fields(t *testing.T, v any) audit.Fields {
	t.Helper()
	f, err := audit.Whole(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestChangedKeepsOnlyTheFieldsThatDifferOnBothSides(t *testing.T) {
	end := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name          string
		before, after thing
		wantB, wantA  string
	}{
		{"a rename", thing{Name: "Sprint", Prizes: []int{5}}, thing{Name: "March sprint", Prizes: []int{5}},
			`{"name":"Sprint"}`, `{"name":"March sprint"}`},
		{"a list changed is shown whole", thing{Prizes: []int{5, 3}}, thing{Prizes: []int{5, 2}},
			`{"prizes":[5,3]}`, `{"prizes":[5,2]}`},
		{"a field gained is null before", thing{Name: "a"}, thing{Name: "a", Ended: &end},
			`{"ended_at":null}`, `{"ended_at":"2026-03-02T10:00:00Z"}`},
		{"a field lost is null after", thing{Name: "a", Ended: &end}, thing{Name: "a"},
			`{"ended_at":"2026-03-02T10:00:00Z"}`, `{"ended_at":null}`},
		{"nothing changed", thing{Name: "a", Prizes: []int{1}}, thing{Name: "a", Prizes: []int{1}}, `null`, `null`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, a, err := audit.Changed(fields(t, c.before), fields(t, c.after))
			if err != nil {
				t.Fatal(err)
			}
			if got := js(t, b); got != c.wantB {
				t.Errorf("before %s, want %s", got, c.wantB)
			}
			if got := js(t, a); got != c.wantA {
				t.Errorf("after %s, want %s", got, c.wantA)
			}
		})
	}
}

func TestWithoutDropsDerivedFields(t *testing.T) {
	f := fields(t, thing{Name: "a", Status: "live"}).Without("status", "absent")
	if got := js(t, f); got != `{"name":"a","prizes":null}` {
		t.Fatalf("fields %s", got)
	}
}

func TestWholeRefusesWhatIsNotAnObject(t *testing.T) {
	if _, err := audit.Whole([]int{1}); err == nil {
		t.Fatal("a list taken for an object")
	}
}

func TestEntityNamesKindAndSubject(t *testing.T) {
	if got := audit.Entity("contest", "c-1"); got != "contest:c-1" {
		t.Errorf("entity %q", got)
	}
	if got := audit.Entity("events", ""); got != "events" {
		t.Errorf("entity of no subject %q", got)
	}
	if got := audit.Kind("targets.put"); got != "targets" {
		t.Errorf("kind %q", got)
	}
}

func field(err error) string {
	var e *bullpen.Error
	if !errors.As(err, &e) || e.Code != bullpen.EInvalid {
		return "not invalid_argument: " + err.Error()
	}
	return e.Field
}

func TestParseNamesTheParameterAtFault(t *testing.T) {
	cases := []struct {
		q    audit.Query
		want string
	}{
		{audit.Query{Since: "yesterday"}, "since"},
		{audit.Query{Until: "2026-03-01"}, "until"}, // a date alone is not RFC 3339
		{audit.Query{Since: "2026-03-02T00:00:00Z", Until: "2026-03-01T00:00:00Z"}, "until"},
		{audit.Query{Since: "2026-03-01T00:00:00Z", Until: "2026-03-01T00:00:00Z"}, "until"},
		{audit.Query{Entity: "Contest:c-1"}, "entity"},
		{audit.Query{Entity: ":c-1"}, "entity"},
		{audit.Query{Entity: "contest:"}, "entity"},
		{audit.Query{Cursor: "not a cursor"}, "cursor"},
		{audit.Query{Cursor: "MjAyNi0wMy0wMVQwMDowMDowMFp8LTE"}, "cursor"}, // "2026-03-01T00:00:00Z|-1"
	}
	for _, c := range cases {
		_, err := audit.Parse(c.q)
		if err == nil {
			t.Errorf("%+v accepted", c.q)
			continue
		}
		if got := field(err); got != c.want {
			t.Errorf("%+v: field %q, want %q", c.q, got, c.want)
		}
	}
}

func TestParseReadsEntityRangeAndCursor(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)
	cur := audit.Cursor{At: at, ID: 42}.Encode()
	f, err := audit.Parse(audit.Query{Actor: "tok_1", Entity: "ledger:rep:17", Since: "2026-03-01T00:00:00+01:00",
		Until: "2026-03-02T00:00:00Z", Cursor: cur, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if f.Actor != "tok_1" || f.Kind != "ledger" || f.Subject != "rep:17" || f.Limit != 10 {
		t.Fatalf("filter %+v", f)
	}
	if !f.Since.Equal(time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)) || !f.Until.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("range %v – %v", f.Since, f.Until)
	}
	if f.After == nil || !f.After.At.Equal(at) || f.After.ID != 42 {
		t.Fatalf("cursor %+v", f.After)
	}
	f, err = audit.Parse(audit.Query{Entity: "contest"})
	if err != nil || f.Kind != "contest" || f.Subject != "" {
		t.Fatalf("a kind alone: %+v %v", f, err)
	}
}
