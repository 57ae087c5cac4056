package webhook

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"bullpen/internal/bullpen"
)

// Spec is what a manager sets on an endpoint.
type Spec struct {
	Name   string
	URL    string
	Events []string
	Format string
}

const (
	maxURL  = 2048
	maxName = 200
)

// Normalize checks s and puts it in its stored form: a format of "bullpen" when none is given,
// each event once, in the API's order. Errors name the field (url, events, events.N, format,
// name).
func (s *Spec) Normalize() error {
	s.Name = strings.TrimSpace(s.Name)
	if utf8.RuneCountInString(s.Name) > maxName {
		return bullpen.Invalid("name", "at most %d characters", maxName)
	}
	if _, err := ParseURL(s.URL); err != nil {
		return err
	}
	if len(s.Events) == 0 {
		return bullpen.Invalid("events", "name at least one of %s", strings.Join(Events, ", "))
	}
	for i, e := range s.Events {
		if !IsEvent(e) {
			return bullpen.Invalid("events."+strconv.Itoa(i), "%q is not an event type (%s)", e, strings.Join(Events, ", "))
		}
	}
	ordered := make([]string, 0, len(s.Events))
	for _, e := range Events {
		if slices.Contains(s.Events, e) {
			ordered = append(ordered, e)
		}
	}
	s.Events = ordered
	if s.Format == "" {
		s.Format = FormatBullpen
	}
	if !slices.Contains(Formats, s.Format) {
		return bullpen.Invalid("format", "%q is not a format (%s)", s.Format, strings.Join(Formats, ", "))
	}
	return nil
}

// ParseURL reads an endpoint's URL: absolute, http or https, with a host, no user or password
// in it (a secret in a URL ends up in logs) and no fragment. Whether its host may be reached is
// the Guard's to say.
func ParseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, bullpen.Invalid("url", "required: the receiver's http:// or https:// URL")
	}
	if len(raw) > maxURL {
		return nil, bullpen.Invalid("url", "at most %d characters", maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bullpen.Invalid("url", "not a URL: %v", unwrapURLError(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bullpen.Invalid("url", "must be an http:// or https:// URL")
	case u.Hostname() == "":
		return nil, bullpen.Invalid("url", "has no host")
	case u.User != nil:
		return nil, bullpen.Invalid("url", "must not carry a user or password")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, bullpen.Invalid("url", "must not have a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bullpen.Invalid("url", "port %q is not 1 to 65535", p)
		}
	}
	return u, nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
