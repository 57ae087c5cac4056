package postgres

import (
	"slices"
	"testing"

	"bullpen/internal/achievement"
)

func TestOnlyABatchsReversedAndLargestDealsMayBeAPersonalBest(t *testing.T) {
	deals := []achievement.Deal{{DealID: "a", Won: true, Amount: 500}, {DealID: "b", Amount: 900},
		{DealID: "c", Won: true, Amount: 700}, {DealID: "d", Won: true, Amount: 700}, {DealID: "e", Won: true, Amount: 100}}
	var got []string
	for _, d := range mayBeJudged(deals) {
		got = append(got, d.DealID)
	}
	if want := []string{"b", "c", "d"}; !slices.Equal(got, want) {
		t.Fatalf("judged %q, want %q: the reversed one and the largest won ones", got, want)
	}
}
