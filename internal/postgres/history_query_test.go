package postgres

// RepPlacingsQuery is the query RepPlacings runs, for tests that EXPLAIN it.
const RepPlacingsQuery = repPlacingsQuery
