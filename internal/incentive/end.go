package incentive

import (
	"time"

	"bullpen/internal/bullpen"
)

// End closes the incentive at now, before its ends_at. One already closed is a conflict.
func (i *Incentive) End(now time.Time) error {
	if i.StatusAt(now) == StatusClosed {
		return bullpen.Errorf(bullpen.EConflict, "the incentive is already closed")
	}
	i.EndedAt = &now
	return nil
}
