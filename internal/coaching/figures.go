package coaching

import (
	"slices"
	"strings"

	"bullpen/internal/bullpen"
)

// TeamView sets the reps of a team side by side with the team's median. tallies are every
// rep of the team (as the directory has it now), in any order; the reps come out by rep_id.
func TeamView(teamID string, tallies []Tally) Team {
	names := ActivityNames(tallies)
	reps := make([]Rep, len(tallies))
	all := make([]Figures, len(tallies))
	for i, t := range tallies {
		all[i] = RepFigures(t, names)
		reps[i] = Rep{Rep: t.Rep, Figures: all[i]}
	}
	median := Median(all, names)
	for i := range reps {
		reps[i].Below = Below(reps[i].Figures, median, names)
	}
	slices.SortFunc(reps, func(a, b Rep) int { return strings.Compare(a.Rep.RepID, b.Rep.RepID) })
	return Team{TeamID: teamID, ActivityNames: names, Reps: reps, Median: median}
}

// RepFigures are one rep's figures, listing every activity name of names.
func RepFigures(t Tally, names []string) Figures {
	f := Figures{Activities: make(map[string]bullpen.Fixed, len(names)), DealsWon: count(t.DealsWon), AmountWon: t.AmountWon}
	var total int64
	for _, name := range names {
		f.Activities[name] = count(t.Activities[name])
	}
	for _, n := range t.Activities {
		total += n
	}
	f.ActivitiesTotal = count(total)
	if t.DealsWon > 0 {
		avg := bullpen.Fixed(divRound(int64(t.AmountWon), t.DealsWon))
		perWin := bullpen.Fixed(divRound(total*100, t.DealsWon))
		f.AverageDealSize, f.ActivitiesPerWin = &avg, &perWin
	}
	return f
}

// Median is the median of each figure over reps (see the package's rules): a count over
// every rep, a ratio over the reps that have one.
func Median(reps []Figures, names []string) Figures {
	m := Figures{Activities: make(map[string]bullpen.Fixed, len(names))}
	for _, name := range names {
		m.Activities[name] = median(each(reps, func(f Figures) *bullpen.Fixed { v := f.Activities[name]; return &v }))
	}
	m.ActivitiesTotal = median(each(reps, func(f Figures) *bullpen.Fixed { return &f.ActivitiesTotal }))
	m.DealsWon = median(each(reps, func(f Figures) *bullpen.Fixed { return &f.DealsWon }))
	m.AmountWon = median(each(reps, func(f Figures) *bullpen.Fixed { return &f.AmountWon }))
	if vs := each(reps, func(f Figures) *bullpen.Fixed { return f.AverageDealSize }); len(vs) > 0 {
		v := median(vs)
		m.AverageDealSize = &v
	}
	if vs := each(reps, func(f Figures) *bullpen.Fixed { return f.ActivitiesPerWin }); len(vs) > 0 {
		v := median(vs)
		m.ActivitiesPerWin = &v
	}
	return m
}

// Below names the figures of f that are less than the median's, in the order of the view:
// the activities (by names), their total, deals won, amount won, then the two ratios.
func Below(f, median Figures, names []string) []string {
	out := []string{}
	for _, name := range names {
		if f.Activities[name] < median.Activities[name] {
			out = append(out, KeyActivityPrefix+name)
		}
	}
	pairs := []struct {
		key       string
		rep, team *bullpen.Fixed
	}{
		{KeyActivitiesTotal, &f.ActivitiesTotal, &median.ActivitiesTotal},
		{KeyDealsWon, &f.DealsWon, &median.DealsWon},
		{KeyAmountWon, &f.AmountWon, &median.AmountWon},
		{KeyAverageDealSize, f.AverageDealSize, median.AverageDealSize},
		{KeyActivitiesPerWin, f.ActivitiesPerWin, median.ActivitiesPerWin},
	}
	for _, p := range pairs {
		if p.rep != nil && p.team != nil && *p.rep < *p.team {
			out = append(out, p.key)
		}
	}
	return out
}

// each is the values pick finds in reps, leaving out the nil ones.
func each(reps []Figures, pick func(Figures) *bullpen.Fixed) []bullpen.Fixed {
	out := make([]bullpen.Fixed, 0, len(reps))
	for _, f := range reps {
		if v := pick(f); v != nil {
			out = append(out, *v)
		}
	}
	return out
}

// median of vs: the middle value, or the mean of the two middle ones rounded half up to a
// hundredth; 0 for none (a team without reps).
func median(vs []bullpen.Fixed) bullpen.Fixed {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	lo, hi := s[mid-1], s[mid]
	// lo + (hi-lo)/2: exact, and no sum that could overflow.
	return lo + bullpen.Fixed(divRound(int64(hi-lo), 2))
}

// count is a whole count as a Fixed.
func count(n int64) bullpen.Fixed { return bullpen.Fixed(n * 100) }

// divRound is a ÷ b rounded half up, for a ≥ 0 and b > 0.
func divRound(a, b int64) int64 {
	q, r := a/b, a%b
	if r >= b-r {
		q++
	}
	return q
}

// Mine is one rep's figures against its team's median (GET /reps/{id}/coaching).
type Mine struct {
	Rep           Rep
	ActivityNames []string
	TeamSize      int      // reps in the team, the rep included; 0 without a team
	TeamMedian    *Figures // nil for a rep without a team
}

// RepView is rep's figures against the median of its team, whose tallies (the rep's among
// them) are team. A rep without a team is set against nobody: team holds its tally alone.
func RepView(rep bullpen.Rep, team []Tally) (Mine, bool) {
	view := TeamView(rep.TeamID, team)
	i := slices.IndexFunc(view.Reps, func(r Rep) bool { return r.Rep.RepID == rep.RepID })
	if i < 0 {
		return Mine{}, false
	}
	m := Mine{Rep: view.Reps[i], ActivityNames: view.ActivityNames}
	if rep.TeamID == "" {
		m.Rep.Below = []string{}
		return m, true
	}
	m.TeamSize, m.TeamMedian = len(view.Reps), &view.Median
	return m, true
}
