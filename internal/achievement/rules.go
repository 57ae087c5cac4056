package achievement

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"

	"bullpen/internal/bullpen"
)

// Limits of a rule's settings.
const (
	MaxPoints     = 1_000_000 // points one badge may pay
	MinStreakDays = 2
	MaxStreakDays = 60
)

// Rule is one kind's setting: whether it awards, and the points each badge pays (0: a badge
// alone, no ledger entry).
type Rule struct {
	Enabled bool  `json:"enabled"`
	Points  int64 `json:"points"`
}

// StreakRule adds the streak's length in selling days.
type StreakRule struct {
	Rule
	Days int `json:"days"`
}

// Selling periods of the best period rule.
const (
	Week  = "week"  // Monday to Sunday, an ISO week
	Month = "month" // a calendar month
)

// PeriodRule adds the best period's length: "week" or "month" ("" only while off).
type PeriodRule struct {
	Rule
	Period string `json:"period"`
}

// Rules are every kind's setting, as GET and PUT /api/v1/achievements show them. The zero
// value enables nothing.
type Rules struct {
	FirstWin    Rule       `json:"first_win"`
	Streak      StreakRule `json:"streak"`
	HatTrick    Rule       `json:"hat_trick"`
	LargestDeal Rule       `json:"largest_deal"`
	QuotaClub   Rule       `json:"quota_club"`
	BestPeriod  PeriodRule `json:"best_period"`
}

// Of is kind k's setting.
func (r Rules) Of(k Kind) Rule {
	switch k {
	case FirstWin:
		return r.FirstWin
	case Streak:
		return r.Streak.Rule
	case HatTrick:
		return r.HatTrick
	case LargestDeal:
		return r.LargestDeal
	case QuotaClub:
		return r.QuotaClub
	case BestPeriod:
		return r.BestPeriod.Rule
	}
	return Rule{}
}

// Any says some rule awards.
func (r Rules) Any() bool {
	for _, k := range Kinds {
		if r.Of(k).Enabled {
			return true
		}
	}
	return false
}

// ByDay says a rule reads the rep's wins day by day.
func (r Rules) ByDay() bool { return r.FirstWin.Enabled || r.HatTrick.Enabled || r.Streak.Enabled }

// Parse reads rules as PUT /api/v1/achievements takes them: an object with a member per kind
// (a kind left out is disabled), no other members. Errors name the field.
func Parse(body []byte) (Rules, error) {
	var r Rules
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field != "" {
			want := "an object"
			switch typ.Type.Kind() {
			case reflect.Bool:
				want = "true or false"
			case reflect.Int, reflect.Int64:
				want = "a whole number"
			case reflect.String:
				want = "a string"
			}
			return Rules{}, bullpen.Invalid(typ.Field, "%s must be %s", typ.Field, want)
		}
		return Rules{}, bullpen.Invalid("", "the body must be an object of rules by kind (%v)", err)
	}
	if dec.More() {
		return Rules{}, bullpen.Invalid("", "the body must be one JSON object")
	}
	return r, r.Validate()
}

// Validate checks every setting; the error names the field ("streak.days").
func (r Rules) Validate() error {
	for _, k := range Kinds {
		if p := r.Of(k).Points; p < 0 || p > MaxPoints {
			return bullpen.Invalid(string(k)+".points", "points must be a whole number from 0 to %d", MaxPoints)
		}
	}
	if r.Streak.Enabled || r.Streak.Days != 0 {
		if r.Streak.Days < MinStreakDays || r.Streak.Days > MaxStreakDays {
			return bullpen.Invalid("streak.days", "a streak is %d to %d selling days", MinStreakDays, MaxStreakDays)
		}
	}
	if r.BestPeriod.Enabled || r.BestPeriod.Period != "" {
		if r.BestPeriod.Period != Week && r.BestPeriod.Period != Month {
			return bullpen.Invalid("best_period.period", "a best period is a %q or a %q", Week, Month)
		}
	}
	return nil
}
