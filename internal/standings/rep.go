package standings

import "bullpen/internal/bullpen"

// RepQuery is what a rep's page (and its socket's snapshot) reads of the live projection, all
// at once: the rep's directory entry, its balance when asked, its attainment row of each of
// SetIDs, and the Places (built with the team the reader expects the rep in).
type RepQuery struct {
	RepID   string
	Balance bool
	SetIDs  []int64
	Places  []PlaceQuery
}

// RepRead is a RepQuery's answer. The directory entry and the balance each carry their own
// error, as a reader falls back to the ledger for them; the places and the attainment have no
// such fallback, and fail the read.
type RepRead struct {
	Rep      bullpen.Rep
	RepFound bool  // false: the projection's directory has no entry for the rep
	RepErr   error // the directory entry could not be read
	// Balance is the rep's points balance, BalanceFound false when the projection has none
	// and cannot say it is 0 (it is not known complete).
	Balance      int64
	BalanceFound bool
	BalanceErr   error
	// Attainment is the rep's value in each of SetIDs where it has a row.
	Attainment map[int64]bullpen.Fixed
	Places     []Placed // one per query, in order
}
