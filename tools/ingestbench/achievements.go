package main

import "bullpen/internal/achievement"

// allAchievements are the rules of a drain with -achievements on: every rule, each paying
// points, so every win reads the rep's days, top deals and week (a week, not a month, so that a
// -span across a Monday walks back to the week before) and a badge writes ledger rows and
// messages: the most achievements can cost an event.
var allAchievements = achievement.Rules{
	FirstWin:    achievement.Rule{Enabled: true, Points: 5},
	Streak:      achievement.StreakRule{Rule: achievement.Rule{Enabled: true, Points: 50}, Days: 5},
	HatTrick:    achievement.Rule{Enabled: true, Points: 100},
	LargestDeal: achievement.Rule{Enabled: true, Points: 20},
	QuotaClub:   achievement.Rule{Enabled: true, Points: 200},
	BestPeriod:  achievement.PeriodRule{Rule: achievement.Rule{Enabled: true, Points: 30}, Period: achievement.Week},
}
