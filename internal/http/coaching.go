package http

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/coaching"
)

// CoachingReader counts what the coaching view is made of (docs/api.md §3 "Coaching").
type CoachingReader interface {
	// CoachingTallies are, over r, the tallies of the reps whose team in the directory is
	// teamID (none for "") and of the rep repID (if not ""), by rep_id.
	CoachingTallies(ctx context.Context, teamID, repID string, r coaching.Range) ([]coaching.Tally, error)
}

// FiguresView is a rep's coaching figures or a team's median of each: counts and the
// activities-per-win ratio as numbers, money as strings with two decimals.
type FiguresView struct {
	Activities       map[string]bullpen.Fixed `json:"activities"`
	ActivitiesTotal  bullpen.Fixed            `json:"activities_total"`
	DealsWon         bullpen.Fixed            `json:"deals_won"`
	AmountWon        string                   `json:"amount_won"`
	AverageDealSize  *string                  `json:"average_deal_size"`
	ActivitiesPerWin *bullpen.Fixed           `json:"activities_per_win"`
}

// coachingRange is the window a view covers, and how it was read.
type coachingRange struct {
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Timezone      string    `json:"timezone"`
	Currency      string    `json:"currency"`
	ActivityTypes []string  `json:"activity_types"`
}

// RepCoachingView is GET /reps/{id}/coaching: the rep's figures against its team's median.
type RepCoachingView struct {
	RepID  string  `json:"rep_id"`
	Name   string  `json:"name"`
	TeamID *string `json:"team_id"`
	coachingRange
	Figures     FiguresView  `json:"figures"`
	BelowMedian []string     `json:"below_median"`
	TeamSize    int          `json:"team_size"`
	TeamMedian  *FiguresView `json:"team_median"`
}

// TeamCoachingView is GET /teams/{id}/coaching: the team's reps side by side and its median.
type TeamCoachingView struct {
	TeamID string `json:"team_id"`
	coachingRange
	Reps   []TeamCoachingRow `json:"reps"`
	Median FiguresView       `json:"median"`
}

// TeamCoachingRow is one rep of a team's coaching view.
type TeamCoachingRow struct {
	RepID       string      `json:"rep_id"`
	Name        string      `json:"name"`
	Figures     FiguresView `json:"figures"`
	BelowMedian []string    `json:"below_median"`
}

func (s *Server) repCoaching(c *fiber.Ctx) error {
	repID, err := pathID(c)
	if err != nil {
		return err
	}
	repID = strings.Clone(repID)
	// A rep's figures are as private as its ledger: staff read any, a rep only its own.
	if !mayReadLedger(tokenOf(c), repID) {
		return bullpen.Errorf(bullpen.EPermission, "only managers, admins and the rep itself may read a rep's coaching figures")
	}
	win, r, err := s.coachingWindow(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	rep, err := s.RepReader.Rep(ctx, repID)
	if err != nil {
		return err
	}
	tallies, err := s.CoachingReader.CoachingTallies(ctx, rep.TeamID, rep.RepID, r)
	if err != nil {
		return err
	}
	mine, ok := coaching.RepView(rep, tallies)
	if !ok {
		return bullpen.Errorf(bullpen.ENotFound, "rep %s not found", repID)
	}
	win.ActivityTypes = mine.ActivityNames
	v := RepCoachingView{RepID: rep.RepID, Name: rep.Name, TeamID: nullIfEmpty(rep.TeamID), coachingRange: win,
		Figures: figuresView(mine.Rep.Figures), BelowMedian: mine.Rep.Below, TeamSize: mine.TeamSize}
	if mine.TeamMedian != nil {
		m := figuresView(*mine.TeamMedian)
		v.TeamMedian = &m
	}
	return c.JSON(v)
}

func (s *Server) teamCoaching(c *fiber.Ctx) error {
	teamID, err := pathID(c)
	if err != nil {
		return err
	}
	teamID = strings.Clone(teamID)
	win, r, err := s.coachingWindow(c)
	if err != nil {
		return err
	}
	tallies, err := s.CoachingReader.CoachingTallies(c.UserContext(), teamID, "", r)
	if err != nil {
		return err
	}
	if len(tallies) == 0 {
		return bullpen.Errorf(bullpen.ENotFound, "no rep of the directory is in team %s", teamID)
	}
	team := coaching.TeamView(teamID, tallies)
	win.ActivityTypes = team.ActivityNames
	v := TeamCoachingView{TeamID: teamID, coachingRange: win, Reps: make([]TeamCoachingRow, len(team.Reps)), Median: figuresView(team.Median)}
	for i, rp := range team.Reps {
		v.Reps[i] = TeamCoachingRow{RepID: rp.Rep.RepID, Name: rp.Rep.Name, Figures: figuresView(rp.Figures), BelowMedian: rp.Below}
	}
	return c.JSON(v)
}

// coachingWindow reads ?from=&to= in the server's time zone, the calendar's.
func (s *Server) coachingWindow(c *fiber.Ctx) (coachingRange, coaching.Range, error) {
	loc := time.UTC
	if s.Calendar != nil {
		loc = s.Calendar.Location()
	}
	r, err := coaching.ParseRange(c.Query("from"), c.Query("to"), loc, s.Now())
	if err != nil {
		return coachingRange{}, r, err
	}
	// In the zone's own offsets, so a client reads the local days off the times.
	return coachingRange{From: r.From.In(loc), To: r.To.In(loc), Timezone: loc.String(), Currency: s.Currency}, r, nil
}

func figuresView(f coaching.Figures) FiguresView {
	v := FiguresView{Activities: f.Activities, ActivitiesTotal: f.ActivitiesTotal, DealsWon: f.DealsWon,
		AmountWon: moneyText(f.AmountWon), ActivitiesPerWin: f.ActivitiesPerWin}
	if f.AverageDealSize != nil {
		avg := moneyText(*f.AverageDealSize)
		v.AverageDealSize = &avg
	}
	return v
}

// moneyText writes an amount with exactly two decimals ("1200.50"), as a string, so no client
// reads money through a float.
func moneyText(f bullpen.Fixed) string {
	n := int64(f)
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}
