package contest

// PendingFinal is a contest not yet final, with its boards (period keys) not yet final: what a
// finalizer watches until their time comes.
type PendingFinal struct {
	Contest *Contest
	Boards  []string
}
