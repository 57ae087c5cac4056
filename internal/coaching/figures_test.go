package coaching_test

import (
	"reflect"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/coaching"
)

func fx(s string) bullpen.Fixed {
	v, err := bullpen.ParseFixed(s)
	if err != nil {
		panic(err)
	}
	return v
}

func ptr(s string) *bullpen.Fixed { v := fx(s); return &v }

func rep(id, team string) bullpen.Rep { return bullpen.Rep{RepID: id, Name: id, TeamID: team} }

// east is a team of four whose figures are worked by hand below.
//
//	       call email meeting demo webinar | total deals amount    | avg deal  per win
//	ana      5    2      1      0     0    |   8     2   1500.01   |  750.01    4.00  (750.005 rounds up)
//	bo       3    0      0      1     2    |   6     1    333.33   |  333.33    6.00
//	cy       0    4      0      0     0    |   4     0      0.00   |  null      null
//	dee      8    0      0      0     0    |   8     3   1000.00   |  333.33    2.67  (333.333…, 2.666…)
//	median   4    1      0      0     0    |   7   1.5    666.67   |  333.33    4.00
//
// Medians of four take the mean of the middle two: calls 0 3 5 8 → 4; emails 0 0 2 4 → 1;
// totals 4 6 8 8 → 7; deals 0 1 2 3 → 1.5; amounts 0 333.33 1000 1500.01 → 666.665, half up
// 666.67. The ratios are over the three reps who won: 333.33 333.33 750.01 → 333.33;
// 2.67 4 6 → 4.
func east() []coaching.Tally {
	return []coaching.Tally{
		{Rep: rep("dee", "east"), Activities: map[string]int64{"call": 8}, DealsWon: 3, AmountWon: fx("1000")},
		{Rep: rep("ana", "east"), Activities: map[string]int64{"call": 5, "email": 2, "meeting": 1}, DealsWon: 2, AmountWon: fx("1500.01")},
		{Rep: rep("cy", "east"), Activities: map[string]int64{"email": 4}},
		{Rep: rep("bo", "east"), Activities: map[string]int64{"call": 3, "demo": 1, "webinar": 2}, DealsWon: 1, AmountWon: fx("333.33")},
	}
}

func acts(call, email, meeting, demo, webinar string) map[string]bullpen.Fixed {
	return map[string]bullpen.Fixed{"call": fx(call), "email": fx(email), "meeting": fx(meeting), "demo": fx(demo), "webinar": fx(webinar)}
}

func TestTeamViewWorksOutEachRepAndTheMedianByHand(t *testing.T) {
	got := coaching.TeamView("east", east())
	if want := []string{"call", "email", "meeting", "demo", "webinar"}; !reflect.DeepEqual(got.ActivityNames, want) {
		t.Fatalf("activity names %v, want %v", got.ActivityNames, want)
	}
	want := []coaching.Rep{
		{Rep: rep("ana", "east"), Figures: coaching.Figures{Activities: acts("5", "2", "1", "0", "0"), ActivitiesTotal: fx("8"),
			DealsWon: fx("2"), AmountWon: fx("1500.01"), AverageDealSize: ptr("750.01"), ActivitiesPerWin: ptr("4")}, Below: []string{}},
		{Rep: rep("bo", "east"), Figures: coaching.Figures{Activities: acts("3", "0", "0", "1", "2"), ActivitiesTotal: fx("6"),
			DealsWon: fx("1"), AmountWon: fx("333.33"), AverageDealSize: ptr("333.33"), ActivitiesPerWin: ptr("6")},
			Below: []string{"activities.call", "activities.email", "activities_total", "deals_won", "amount_won"}},
		{Rep: rep("cy", "east"), Figures: coaching.Figures{Activities: acts("0", "4", "0", "0", "0"), ActivitiesTotal: fx("4")},
			Below: []string{"activities.call", "activities_total", "deals_won", "amount_won"}},
		{Rep: rep("dee", "east"), Figures: coaching.Figures{Activities: acts("8", "0", "0", "0", "0"), ActivitiesTotal: fx("8"),
			DealsWon: fx("3"), AmountWon: fx("1000"), AverageDealSize: ptr("333.33"), ActivitiesPerWin: ptr("2.67")},
			Below: []string{"activities.email", "activities_per_win"}},
	}
	if !reflect.DeepEqual(got.Reps, want) {
		t.Errorf("reps\n got %+v\nwant %+v", got.Reps, want)
	}
	median := coaching.Figures{Activities: acts("4", "1", "0", "0", "0"), ActivitiesTotal: fx("7"), DealsWon: fx("1.5"),
		AmountWon: fx("666.67"), AverageDealSize: ptr("333.33"), ActivitiesPerWin: ptr("4")}
	if !reflect.DeepEqual(got.Median, median) {
		t.Errorf("median\n got %+v\nwant %+v", got.Median, median)
	}
}

func TestMedianOfEachFigure(t *testing.T) {
	names := []string{"call"}
	won := func(amount string, deals int64, calls int64) coaching.Figures {
		return coaching.RepFigures(coaching.Tally{Activities: map[string]int64{"call": calls}, DealsWon: deals, AmountWon: fx(amount)}, names)
	}
	cases := []struct {
		name                 string
		reps                 []coaching.Figures
		calls, deals, amount string
		avg, perWin          *bullpen.Fixed
	}{
		{"one rep is its own median", []coaching.Figures{won("10.10", 1, 3)}, "3", "1", "10.1", ptr("10.1"), ptr("3")},
		{"an odd count takes the middle", []coaching.Figures{won("9", 3, 1), won("1", 1, 7), won("5", 5, 4)}, "4", "3", "5", ptr("1"), ptr("0.8")},
		// 0.01 and 0.02: a mean of 0.015 rounds half up to 0.02; avg deal sizes 0.01 and 0.02 too.
		{"an even count rounds the mean half up", []coaching.Figures{won("0.01", 1, 1), won("0.02", 1, 2)}, "1.5", "1", "0.02", ptr("0.02"), ptr("1.5")},
		// Calls over two reps per win: 1/3 = 0.33 and 2/3 = 0.67, whose mean is 0.5 exactly.
		{"ratios are rounded before the median", []coaching.Figures{won("1", 3, 1), won("2", 3, 2)}, "1.5", "3", "1.5", ptr("0.5"), ptr("0.5")},
		{"nobody won: no ratio", []coaching.Figures{won("0", 0, 2), won("0", 0, 5)}, "3.5", "0", "0", nil, nil},
		{"the ratios skip the reps who did not win", []coaching.Figures{won("0", 0, 9), won("0", 0, 9), won("30", 2, 1)}, "9", "0", "0", ptr("15"), ptr("0.5")},
		{"no rep at all", nil, "0", "0", "0", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := coaching.Median(tc.reps, names)
			if m.Activities["call"] != fx(tc.calls) || m.DealsWon != fx(tc.deals) || m.AmountWon != fx(tc.amount) {
				t.Errorf("calls %s deals %s amount %s, want %s %s %s", m.Activities["call"], m.DealsWon, m.AmountWon, tc.calls, tc.deals, tc.amount)
			}
			if !reflect.DeepEqual(m.AverageDealSize, tc.avg) || !reflect.DeepEqual(m.ActivitiesPerWin, tc.perWin) {
				t.Errorf("avg %v per win %v, want %v %v", show(m.AverageDealSize), show(m.ActivitiesPerWin), show(tc.avg), show(tc.perWin))
			}
		})
	}
}

func show(f *bullpen.Fixed) string {
	if f == nil {
		return "null"
	}
	return f.String()
}

func TestRepFiguresRoundHalfUpAndLeaveRatiosNullWithoutAWin(t *testing.T) {
	cases := []struct {
		name        string
		tally       coaching.Tally
		avg, perWin *bullpen.Fixed
	}{
		{"exact", coaching.Tally{Activities: map[string]int64{"call": 6}, DealsWon: 2, AmountWon: fx("100")}, ptr("50"), ptr("3")},
		{"half a cent rounds up", coaching.Tally{Activities: map[string]int64{"call": 1}, DealsWon: 2, AmountWon: fx("0.05")}, ptr("0.03"), ptr("0.5")},
		{"below half rounds down", coaching.Tally{Activities: map[string]int64{"call": 1, "email": 3}, DealsWon: 3, AmountWon: fx("100")}, ptr("33.33"), ptr("1.33")},
		{"above half rounds up", coaching.Tally{Activities: map[string]int64{"demo": 2}, DealsWon: 3, AmountWon: fx("200")}, ptr("66.67"), ptr("0.67")},
		{"no win, no ratio", coaching.Tally{Activities: map[string]int64{"call": 40}}, nil, nil},
	}
	for _, tc := range cases {
		f := coaching.RepFigures(tc.tally, coaching.Standard)
		if !reflect.DeepEqual(f.AverageDealSize, tc.avg) || !reflect.DeepEqual(f.ActivitiesPerWin, tc.perWin) {
			t.Errorf("%s: avg %s per win %s, want %s %s", tc.name, show(f.AverageDealSize), show(f.ActivitiesPerWin), show(tc.avg), show(tc.perWin))
		}
		if len(f.Activities) != 4 {
			t.Errorf("%s: activities %v, want the four standard names", tc.name, f.Activities)
		}
	}
}

func TestActivityNamesListTheStandardOnesThenOthersSorted(t *testing.T) {
	got := coaching.ActivityNames([]coaching.Tally{
		{Activities: map[string]int64{"webinar": 1, "call": 2}},
		{Activities: map[string]int64{"Call": 1, "lunch": 1, "webinar": 3}},
	})
	want := []string{"call", "email", "meeting", "demo", "Call", "lunch", "webinar"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
}

func TestRepViewSetsTheRepAgainstItsTeam(t *testing.T) {
	m, ok := coaching.RepView(rep("bo", "east"), east())
	if !ok || m.TeamSize != 4 || m.TeamMedian == nil || m.TeamMedian.AmountWon != fx("666.67") {
		t.Fatalf("bo: ok %v size %d median %+v", ok, m.TeamSize, m.TeamMedian)
	}
	if m.Rep.Rep.RepID != "bo" || m.Rep.Figures.AmountWon != fx("333.33") || len(m.Rep.Below) != 5 {
		t.Errorf("bo: %+v", m.Rep)
	}
	if _, ok := coaching.RepView(rep("zed", "east"), east()); ok {
		t.Error("a rep missing from its team's tallies was found")
	}
}

func TestARepWithoutATeamHasNoMedian(t *testing.T) {
	solo := rep("solo", "")
	m, ok := coaching.RepView(solo, []coaching.Tally{{Rep: solo, Activities: map[string]int64{"call": 2}, DealsWon: 1, AmountWon: fx("50")}})
	if !ok || m.TeamMedian != nil || m.TeamSize != 0 || len(m.Rep.Below) != 0 {
		t.Fatalf("%+v", m)
	}
	if m.Rep.Figures.DealsWon != fx("1") || *m.Rep.Figures.ActivitiesPerWin != fx("2") {
		t.Errorf("figures %+v", m.Rep.Figures)
	}
}
