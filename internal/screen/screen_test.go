package screen

import (
	"errors"
	"strings"
	"testing"

	"bullpen/internal/bullpen"
)

func TestNormalizeFillsDefaultsAndNamesTheField(t *testing.T) {
	s := Screen{Name: " Lobby ", Slides: []Slide{{Kind: KindContest, ID: " k1 "}, {Kind: KindFloor}}, CelebrateTeams: []string{"east", " east", "west"}}
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	if s.Name != "Lobby" || s.Seconds != 15 || s.Amounts != "show" || s.Sound != "on" || s.Slides[0].ID != "k1" ||
		strings.Join(s.CelebrateTeams, ",") != "east,west" {
		t.Fatalf("normalized %+v", s)
	}
	for _, c := range []struct {
		s     Screen
		field string
	}{
		{Screen{Slides: []Slide{{Kind: KindFloor}}}, "name"},
		{Screen{Name: "x"}, "slides"},
		{Screen{Name: "x", Slides: make([]Slide, MaxSlides+1)}, "slides"},
		{Screen{Name: "x", Slides: []Slide{{Kind: KindFloor}, {Kind: "news"}}}, "slides.1.kind"},
		{Screen{Name: "x", Slides: []Slide{{Kind: KindContest, Team: "east", ID: "k"}}}, "slides.0.team"},
		{Screen{Name: "x", Slides: []Slide{{Kind: KindTargets, ID: "k"}}}, "slides.0.id"},
		{Screen{Name: "x", Slides: []Slide{{Kind: KindIncentives, ID: "k"}}}, "slides.0.kind"},
		{Screen{Name: "x", Slides: []Slide{{Kind: KindFloor}}, Seconds: MaxSeconds + 1}, "seconds"},
		{Screen{Name: "x", Slides: []Slide{{Kind: KindFloor}}, Amounts: "no"}, "amounts"},
		{Screen{Name: "x", Slides: []Slide{{Kind: KindFloor}}, Sound: "no"}, "sound"},
		{Screen{Name: "x", Slides: []Slide{{Kind: KindFloor}}, CelebrateTeams: []string{"a\x00"}}, "celebrate_teams.0"},
	} {
		err := c.s.Normalize()
		var be *bullpen.Error
		if !errors.As(err, &be) || be.Field != c.field {
			t.Errorf("%+v: %v, want a 400 naming %s", c.s, err, c.field)
		}
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := NewCode()
		if len(c) != CodeLength || strings.Trim(c, CodeAlphabet) != "" {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 1990 {
		t.Fatalf("%d distinct codes of 2000", len(seen))
	}
	for typed, want := range map[string]string{"k7q-x3m": "K7QX3M", " 34 67 9a ": "34679A"} {
		if got, err := NormalizeCode(typed); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", typed, got, err, want)
		}
	}
	for _, bad := range []string{"", "K7QX3", "K7QX3MM", "O0O0O0", "K7QX3É"} {
		if _, err := NormalizeCode(bad); bullpen.ErrorCode(err) != bullpen.EInvalid {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
