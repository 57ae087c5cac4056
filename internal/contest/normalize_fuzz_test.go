package contest_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"bullpen/internal/bullpen"
	"bullpen/internal/contest"
)

// FuzzNormalize holds the contest validator to its rules on any body that decodes: a contest it
// accepts is one the ledger can store and count (text PostgreSQL can hold, a known kind, metric,
// scope and period, a window that ends after it starts, prizes with distinct positive ranks), it
// accepts it again unchanged after a JSON round trip, and a refusal names a field.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		`{"name":"December revenue","metric":"revenue","starts_at":"2026-12-01T00:00:00Z","ends_at":"2027-01-01T00:00:00Z","period":"week","timezone":"America/New_York","prizes":[{"rank":1,"points":500}]}`,
		`{"name":"Dials","metric":"points","weights":{"call":"1","meeting":"5.5","revenue_per_point":"1000"},"scope":"team","starts_at":"2026-12-01T00:00:00Z","ends_at":"2026-12-02T00:00:00Z","period":"day"}`,
		`{"name":"First to 10k","kind":"race","metric":"revenue","target":"10000","max_winners":3,"starts_at":"2026-12-01T00:00:00Z","participants":{"teams":["east"],"reps":["r-1"]},"min_score":"5"}`,
		`{"name":" ","metric":"deals"}`, `{"name":"x","metric":"units","starts_at":"2026-12-01T00:00:00Z","ends_at":"2026-11-01T00:00:00Z"}`,
		`{"name":"n\u0000ul","metric":"deals","starts_at":"2026-12-01T00:00:00Z","ends_at":"2027-01-01T00:00:00Z","participants":{"reps":["a\u0000"]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var c contest.Contest
		if json.Unmarshal(body, &c) != nil {
			return
		}
		if err := c.Normalize(); err != nil {
			var be *bullpen.Error
			if !errors.As(err, &be) || be.Code != bullpen.EInvalid || be.Field == "" {
				t.Fatalf("refused without naming a field: %v", err)
			}
			return
		}
		checkStorable(t, &c)
		b, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		var again contest.Contest
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("an accepted contest does not decode back: %v", err)
		}
		if err := again.Normalize(); err != nil {
			t.Fatalf("accepted once, refused after a round trip: %v (%s)", err, b)
		}
		if field, same := contest.SameRules(&c, &again); !same || c.Name != again.Name {
			t.Fatalf("a round trip changed %q: %s", field, b)
		}
	})
}

// checkStorable fails the test when an accepted contest breaks a rule the ledger relies on.
func checkStorable(t *testing.T, c *contest.Contest) {
	t.Helper()
	texts := []string{c.Name, c.Timezone}
	for k := range c.Weights {
		texts = append(texts, k)
	}
	if c.Participants != nil {
		texts = append(append(texts, c.Participants.Teams...), c.Participants.Reps...)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Fatalf("accepted text PostgreSQL cannot store: %q", s)
		}
	}
	switch {
	case c.Name == "" || utf8.RuneCountInString(c.Name) > 200:
		t.Fatalf("accepted name %q", c.Name)
	case c.StartsAt.IsZero() || (c.EndsAt != nil && !c.EndsAt.After(c.StartsAt)):
		t.Fatalf("accepted window %v – %v", c.StartsAt, c.EndsAt)
	case c.Kind == contest.KindRace && (c.Target == nil || *c.Target <= 0):
		t.Fatalf("accepted a race without a positive target")
	}
	ranks := map[int]bool{}
	for _, p := range c.Prizes {
		if p.Rank < 1 || p.Points <= 0 || ranks[p.Rank] {
			t.Fatalf("accepted prizes %+v", c.Prizes)
		}
		ranks[p.Rank] = true
	}
	if _, ok := c.ActivityValue("call"); ok && c.Metric != contest.MetricPoints {
		t.Fatalf("an activity scores on a %s contest", c.Metric)
	}
}
