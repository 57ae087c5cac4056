// Package screen is a wall display's configuration as managers keep it (docs/api.md §3
// "Screens"): a playlist of slides, seconds per slide, money shown or hidden, sound, and whose
// celebrations it shows; and pairing by code (pairing.go). Plain Go, no I/O.
package screen

import (
	"strconv"
	"strings"
	"time"

	"bullpen/internal/bullpen"
)

// Slide kinds.
const (
	KindContest    = "contest"    // a contest's board (ID)
	KindTargets    = "targets"    // a team's attainment boards (Team)
	KindIncentives = "incentives" // the spot incentives open now
	KindFloor      = "floor"      // the latest deals and wins
)

// Limits.
const (
	MinSeconds     = 5
	MaxSeconds     = 600
	DefaultSeconds = 15
	MaxSlides      = 50
	MaxTeams       = 100
)

// Slide is one step of a screen's playlist.
type Slide struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`   // contest
	Team string `json:"team,omitempty"` // targets
}

// Screen is a named configuration of wall displays.
type Screen struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Slides         []Slide   `json:"slides"`
	Seconds        int       `json:"seconds"`
	Amounts        string    `json:"amounts"` // show | hide
	Sound          string    `json:"sound"`   // on | off
	CelebrateTeams []string  `json:"celebrate_teams"`
	Version        int64     `json:"version"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedBy      string    `json:"updated_by"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Removed is the screen channel's message for a screen that was deleted.
type Removed struct {
	ID      string `json:"id"`
	Removed bool   `json:"removed"`
}

// Normalize fills in the defaults (15 seconds, amounts shown, sound on, every team) and checks
// what a client set, naming the field at fault ("slides.2.id"). Whether a contest exists is the
// caller's to check (Contests).
func (s *Screen) Normalize() error {
	s.Name = strings.TrimSpace(s.Name)
	if err := bullpen.CheckText("name", s.Name, true, 200); err != nil {
		return err
	}
	if s.Seconds == 0 {
		s.Seconds = DefaultSeconds
	}
	if s.Seconds < MinSeconds || s.Seconds > MaxSeconds {
		return bullpen.Invalid("seconds", "seconds must be %d to %d", MinSeconds, MaxSeconds)
	}
	if s.Amounts == "" {
		s.Amounts = "show"
	}
	if s.Amounts != "show" && s.Amounts != "hide" {
		return bullpen.Invalid("amounts", "amounts must be show or hide")
	}
	if s.Sound == "" {
		s.Sound = "on"
	}
	if s.Sound != "on" && s.Sound != "off" {
		return bullpen.Invalid("sound", "sound must be on or off")
	}
	if len(s.Slides) == 0 {
		return bullpen.Invalid("slides", "a screen needs at least one slide")
	}
	if len(s.Slides) > MaxSlides {
		return bullpen.Invalid("slides", "a screen has at most %d slides", MaxSlides)
	}
	for i := range s.Slides {
		if err := s.Slides[i].check(); err != nil {
			return bullpen.PrefixField("slides."+strconv.Itoa(i), err)
		}
	}
	return s.normalizeTeams()
}

func (s *Screen) normalizeTeams() error {
	if len(s.CelebrateTeams) > MaxTeams {
		return bullpen.Invalid("celebrate_teams", "at most %d teams", MaxTeams)
	}
	teams := make([]string, 0, len(s.CelebrateTeams))
	seen := map[string]bool{}
	for i, t := range s.CelebrateTeams {
		t = strings.TrimSpace(t)
		if err := bullpen.CheckText("celebrate_teams."+strconv.Itoa(i), t, true, 100); err != nil {
			return err
		}
		if !seen[t] {
			seen[t] = true
			teams = append(teams, t)
		}
	}
	s.CelebrateTeams = teams
	return nil
}

// check checks one slide: its kind, and the id or team that kind needs (and no other).
func (sl *Slide) check() error {
	sl.ID, sl.Team = strings.TrimSpace(sl.ID), strings.TrimSpace(sl.Team)
	switch sl.Kind {
	case KindContest:
		if sl.Team != "" {
			return bullpen.Invalid("team", "a contest slide names its contest by id, not a team")
		}
		return bullpen.CheckText("id", sl.ID, true, 100)
	case KindTargets:
		if sl.ID != "" {
			return bullpen.Invalid("id", "a targets slide names its team, not an id")
		}
		return bullpen.CheckText("team", sl.Team, true, 100)
	case KindIncentives, KindFloor:
		if sl.ID != "" || sl.Team != "" {
			return bullpen.Invalid("kind", "a %s slide takes neither id nor team", sl.Kind)
		}
		return nil
	case "":
		return bullpen.Invalid("kind", "kind is required")
	}
	return bullpen.Invalid("kind", "unknown slide kind %q: contest, targets, incentives or floor", sl.Kind)
}

// Contests are the ids of the contests the screen shows, each once, in order.
func (s *Screen) Contests() []string {
	var ids []string
	seen := map[string]bool{}
	for _, sl := range s.Slides {
		if sl.Kind == KindContest && !seen[sl.ID] {
			seen[sl.ID] = true
			ids = append(ids, sl.ID)
		}
	}
	return ids
}

// ContestSlide is the field of the first slide showing contest id, for an error naming it.
func (s *Screen) ContestSlide(id string) string {
	for i, sl := range s.Slides {
		if sl.Kind == KindContest && sl.ID == id {
			return "slides." + strconv.Itoa(i) + ".id"
		}
	}
	return "slides"
}
