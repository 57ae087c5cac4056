package webhook

import "time"

// Patch is a change to an endpoint: the fields given, as a JSON merge patch has them.
type Patch struct {
	Name    *string
	URL     *string
	Events  *[]string
	Format  *string
	Enabled *bool
}

// Apply is e changed by p, checked as a new endpoint is (errors name the field), at now on
// behalf of token by. Turning an endpoint on clears why it was off; turning it off records who
// did.
func (p Patch) Apply(e Endpoint, by string, now time.Time) (Endpoint, error) {
	s := Spec{Name: e.Name, URL: e.URL, Events: e.Events, Format: e.Format}
	if p.Name != nil {
		s.Name = *p.Name
	}
	if p.URL != nil {
		s.URL = *p.URL
	}
	if p.Events != nil {
		s.Events = *p.Events
	}
	if p.Format != nil {
		s.Format = *p.Format
	}
	if err := s.Normalize(); err != nil {
		return e, err
	}
	e.Name, e.URL, e.Events, e.Format = s.Name, s.URL, s.Events, s.Format
	if p.Enabled != nil && *p.Enabled != e.Enabled {
		e.Enabled = *p.Enabled
		if e.Enabled {
			e.DisabledAt, e.DisabledReason = nil, nil
		} else {
			reason := "turned off by " + by
			at := now.UTC().Truncate(time.Microsecond)
			e.DisabledAt, e.DisabledReason = &at, &reason
		}
	}
	return e, nil
}
