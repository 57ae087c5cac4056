package postgres

// ForgetKnown empties what db knows of reps' badges between batches, as a consumer that has
// just started knows nothing.
func ForgetKnown(db *DB) {
	db.known.mu.Lock()
	defer db.known.mu.Unlock()
	db.known.reps = nil
}

// BeforeLearn makes fn run after each batch commits and before what it knew of reps is
// learnt: another batch can run in between, as one of another goroutine may.
func BeforeLearn(db *DB, fn func()) { db.beforeLearn = fn }
