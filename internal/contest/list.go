package contest

import "time"

// Filter selects contests by the status they have at Now ("" for all), a page at a time.
type Filter struct {
	Status        string
	Now           time.Time
	Limit, Offset int
}

// ValidStatus reports whether s is a status contests can be filtered by.
func ValidStatus(s string) bool {
	switch s {
	case StatusScheduled, StatusLive, StatusEnded, StatusFinal, StatusCancelled:
		return true
	}
	return false
}
