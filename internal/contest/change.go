package contest

import (
	"fmt"
	"time"

	"bullpen/internal/bullpen"
)

// Effect is what a change did to a stored contest, and so what its writer has to do.
type Effect int

const (
	Unchanged Effect = iota // nothing to write
	Changed                 // write it
	Recount                 // write it and count it again: its rules changed
)

// Change is one change to a stored contest. The writer locks the contest, hands it to Decide,
// and writes what Decide left in it as the Effect says, recording the change in the audit trail.
type Change struct {
	ID, By, Action string // the contest, the token making the change, and its name in the audit trail
	Detail         any    // recorded with the change
	// Rules marks a change that may touch the rules: ingest waits for the whole change, since
	// it may recount.
	Rules bool
	// Removes marks a change that takes the contest out of play (a cancel): the audit trail
	// keeps the whole contest as it was, and no after.
	Removes bool
	Decide  func(c *Contest) (Effect, error)
}

// Patch changes c by edit as of now. A scheduled contest takes any change; once it has started
// only its name may change, since its board already counts by its rules; a final or cancelled
// one takes none. edit sets the new fields (it may fail on a bad value); Patch normalizes them
// and says whether the change must be written, and the contest counted again.
func (c *Contest) Patch(now time.Time, edit func(*Contest) error) (Effect, error) {
	status := c.StatusAt(now)
	if status == StatusFinal || status == StatusCancelled {
		return Unchanged, bullpen.Errorf(bullpen.EConflict, "the contest is %s: it can no longer change", status)
	}
	old := *c
	if err := edit(c); err != nil {
		return Unchanged, err
	}
	if err := c.Normalize(); err != nil {
		return Unchanged, err
	}
	field, same := SameRules(&old, c)
	switch {
	case same && old.Name == c.Name:
		return Unchanged, nil
	case same:
		return Changed, nil
	case status == StatusScheduled:
		return Recount, nil
	}
	return Unchanged, &bullpen.Error{Code: bullpen.EConflict, Field: field, Message: fmt.Sprintf(
		"%s cannot change: the contest is %s, and once a contest has started only its name can change (end it early instead)", field, status)}
}

// End ends a live contest at now (its grace still applies). Ending one already ended changes
// nothing; one that has not started is cancelled instead.
func (c *Contest) End(now time.Time) (Effect, error) {
	switch status := c.StatusAt(now); status {
	case StatusFinal, StatusCancelled:
		return Unchanged, bullpen.Errorf(bullpen.EConflict, "the contest is %s", status)
	case StatusScheduled:
		return Unchanged, bullpen.Errorf(bullpen.EConflict, "the contest has not started: cancel it instead")
	case StatusEnded:
		return Unchanged, nil
	}
	c.EndedAt = &now
	return Changed, nil
}

// Cancel cancels c at now: no prizes, kept for history. A final contest has paid its prizes
// and cannot be cancelled; cancelling one already cancelled changes nothing.
func (c *Contest) Cancel(now time.Time) (Effect, error) {
	switch status := c.StatusAt(now); status {
	case StatusFinal:
		return Unchanged, bullpen.Errorf(bullpen.EConflict, "the contest is final: its prizes are paid")
	case StatusCancelled:
		return Unchanged, nil
	}
	c.CancelledAt = &now
	return Changed, nil
}
