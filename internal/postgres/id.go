package postgres

// isID says whether id is a contest's or an incentive's id as the API hands it out: a UUID in
// its canonical form (lowercase hex, 8-4-4-4-12). PostgreSQL also reads braces, no dashes and
// upper case as the same row, which the contest's channel and the caches would not know by
// that name, and refuses `urn:uuid:…` (once a 500 for a mistyped URL): all of them are not
// found.
func isID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		default:
			return false
		}
	}
	return true
}
