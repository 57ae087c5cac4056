package postgres

// ForgetKnown empties what db knows of reps' badges between batches, as a consumer that has
// just started knows nothing.
func ForgetKnown(db *DB) {
	db.known.mu.Lock()
	defer db.known.mu.Unlock()
	db.known.reps = nil
}
