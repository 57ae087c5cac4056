package incentive_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"bullpen/internal/bullpen"
	"bullpen/internal/incentive"
)

// FuzzNormalize holds the spot-incentive validator to its rules on any body that decodes: what
// it accepts can be stored and run (text PostgreSQL can hold, a deal.won condition, a reward and
// a number of winners in range, a window that ends after it starts and after now), it accepts it
// again after a JSON round trip, and a refusal names a field.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		`{"title":"First 3 to close $5k","condition":{"type":"deal.won","min_amount":"5000"},"reward_points":200,"max_winners":3,"ends_at":"2026-12-02T17:00:00Z"}`,
		`{"title":"Pro plan","condition":{"type":"deal.won","product":"Pro"},"reward_points":50,"max_winners":1,"starts_at":"2026-12-02T09:00:00Z","ends_at":"2026-12-03T09:00:00Z","audience":{"teams":["east"],"reps":["r-1"]}}`,
		`{"title":"x","condition":{"type":"activity"},"reward_points":1,"max_winners":1,"ends_at":"2026-12-03T00:00:00Z"}`,
		`{"title":"t\u0000","condition":{"type":"deal.won","product":"\u0000"},"reward_points":1,"max_winners":1,"ends_at":"2026-12-03T00:00:00Z"}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in incentive.Incentive
		if json.Unmarshal(body, &in) != nil {
			return
		}
		if err := in.Normalize(now); err != nil {
			var be *bullpen.Error
			if !errors.As(err, &be) || be.Code != bullpen.EInvalid || be.Field == "" {
				t.Fatalf("refused without naming a field: %v", err)
			}
			return
		}
		texts := []string{in.Title}
		if in.Condition.Product != nil {
			texts = append(texts, *in.Condition.Product)
		}
		if in.Audience != nil {
			texts = append(append(texts, in.Audience.Teams...), in.Audience.Reps...)
		}
		for _, s := range texts {
			if !bullpen.Storable(s) {
				t.Fatalf("accepted text PostgreSQL cannot store: %q", s)
			}
		}
		switch {
		case in.Title == "" || utf8.RuneCountInString(in.Title) > 200:
			t.Fatalf("accepted title %q", in.Title)
		case in.Condition.Type != "deal.won":
			t.Fatalf("accepted condition %q", in.Condition.Type)
		case in.RewardPoints <= 0 || in.RewardPoints > bullpen.MaxAdjustment || in.MaxWinners < 1 || in.MaxWinners > 1000:
			t.Fatalf("accepted reward %d for %d winners", in.RewardPoints, in.MaxWinners)
		case !in.EndsAt.After(in.StartsAt) || !in.EndsAt.After(now):
			t.Fatalf("accepted window %v – %v at %v", in.StartsAt, in.EndsAt, now)
		}
		b, err := json.Marshal(&in)
		if err != nil {
			t.Fatal(err)
		}
		var again incentive.Incentive
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("an accepted incentive does not decode back: %v", err)
		}
		if err := again.Normalize(now); err != nil {
			t.Fatalf("accepted once, refused after a round trip: %v (%s)", err, b)
		}
	})
}
