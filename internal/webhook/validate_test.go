package webhook_test

import (
	"errors"
	"slices"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/webhook"
)

func TestSpecNamesTheFieldItRefuses(t *testing.T) {
	ok := webhook.Spec{URL: "https://hooks.example.com/x", Events: []string{"reward", "celebration", "reward"}}
	if err := ok.Normalize(); err != nil {
		t.Fatal(err)
	}
	if ok.Format != "bullpen" || !slices.Equal(ok.Events, []string{"celebration", "reward"}) {
		t.Fatalf("normalized %+v", ok)
	}
	for field, s := range map[string]webhook.Spec{
		"url":      {URL: "http://[::1", Events: []string{"reward"}},
		"events":   {URL: "https://a.example.com", Events: nil},
		"events.1": {URL: "https://a.example.com", Events: []string{"reward", "deal.won"}},
		"format":   {URL: "https://a.example.com", Events: []string{"reward"}, Format: "discord"},
	} {
		err := s.Normalize()
		var be *bullpen.Error
		if !errors.As(err, &be) || be.Field != field || be.Code != bullpen.EInvalid {
			t.Errorf("%+v: %v, want invalid_argument naming %s", s, err, field)
		}
	}
	for _, u := range []string{"", "ftp://a.example.com/", "/relative", "https://user:pw@a.example.com/", "https://a.example.com/#x", "https://a.example.com:99999/"} {
		if _, err := webhook.ParseURL(u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}
