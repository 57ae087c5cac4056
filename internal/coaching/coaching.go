// Package coaching holds the rules of the coaching view (docs/api.md §3 "Coaching"): per rep
// over a range, activities by type, deals won, amount won, average deal size and activities
// per deal won, set against the median of the rep's team. It imports no adapter: the ledger
// brings each rep's Tally, these rules turn tallies into figures.
//
// The rules, as the API documents them:
//   - A rep's team is its team in the directory now. Its activities and deals count for it
//     wherever it was when they happened, so a rep who moved brings its whole range along.
//   - A deal counts in the range its win falls in (the occurred_at of the deal.won that won
//     it), for the rep that won it, at its current amount (after every deal.updated). A deal
//     reversed and not won again does not count.
//   - An activity counts in the range its occurred_at falls in, under its name as sent
//     (names are case-sensitive, as contest weights are).
//   - Average deal size is amount won ÷ deals won, rounded half up to the cent; activities
//     per deal won is all activities ÷ deals won, rounded half up to two decimals. A rep with
//     no deal won has neither (null, not 0).
//   - The team median of a figure is over every rep of the team (the rep itself included);
//     counts of reps without any are 0. The two ratios are over the reps that have one, and
//     null when none has. An even count takes the mean of the two middle values, rounded half
//     up to the cent (two decimals).
//   - A rep is below the median on a figure when its value is less than the median's; a
//     figure either side lacks is not compared.
package coaching

import (
	"slices"

	"bullpen/internal/bullpen"
)

// Standard are the activity names every view lists, seen or not, in this order; any other
// name seen follows them in alphabetical order.
var Standard = []string{"call", "email", "meeting", "demo"}

// Tally is what the ledger counts of one rep over a range: the rules' only input.
type Tally struct {
	Rep        bullpen.Rep
	Activities map[string]int64 // by activity name; names without any may be absent
	DealsWon   int64
	AmountWon  bullpen.Fixed
}

// Figures are one rep's coaching figures, or a team's median of each. Counts are Fixed too,
// so a median of 3 and 4 is exactly 3.5.
type Figures struct {
	Activities       map[string]bullpen.Fixed // every name of the view, 0 when none
	ActivitiesTotal  bullpen.Fixed
	DealsWon         bullpen.Fixed
	AmountWon        bullpen.Fixed
	AverageDealSize  *bullpen.Fixed // nil: no deal won
	ActivitiesPerWin *bullpen.Fixed // nil: no deal won
}

// Rep is one rep's figures and the figures on which it is below its team's median.
type Rep struct {
	Rep     bullpen.Rep
	Figures Figures
	// Below names the figures under the median (figure keys: "deals_won", "activities.call").
	Below []string
}

// Team is a team side by side: each rep (by rep_id) and the team's median.
type Team struct {
	TeamID        string
	ActivityNames []string // the view's activity names: Standard, then the others seen
	Reps          []Rep
	Median        Figures
}

// Figure keys, as Rep.Below names them (and as the API's fields are named).
const (
	KeyActivitiesTotal  = "activities_total"
	KeyDealsWon         = "deals_won"
	KeyAmountWon        = "amount_won"
	KeyAverageDealSize  = "average_deal_size"
	KeyActivitiesPerWin = "activities_per_win"
	// KeyActivityPrefix + an activity name: that activity's count.
	KeyActivityPrefix = "activities."
)

// ActivityNames are Standard followed by every other name the tallies hold, sorted.
func ActivityNames(tallies []Tally) []string {
	names := slices.Clone(Standard)
	var more []string
	for _, t := range tallies {
		for name := range t.Activities {
			if !slices.Contains(names, name) && !slices.Contains(more, name) {
				more = append(more, name)
			}
		}
	}
	slices.Sort(more)
	return append(names, more...)
}
