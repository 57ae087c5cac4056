---- tern: disable-tx ----
-- A rep's history (GET /api/v1/reps/{id}/history, postgres.RepPlacings) finds its rows, and its
-- team's, on every board by entrant; the primary key (contest_id, period_key, entrant) cannot
-- serve that, so the query read every standings row. The plan ORs one index scan for the rep
-- and one for its team into a bitmap, so the entrant alone is enough; a rep's rows share one
-- key, which B-tree deduplication keeps small. The column never changes, so score updates stay
-- HOT (no index write).
--
-- standings is the ledger's biggest table and the consumer writes it all day: the index is
-- built CONCURRENTLY, which does not block those writes but cannot run in a transaction, hence
-- the magic comment above (tern then runs each statement on its own). A build that fails leaves
-- an invalid index behind and the version unchanged; the DROP clears it on the next run.
DROP INDEX CONCURRENTLY IF EXISTS standings_entrant;
CREATE INDEX CONCURRENTLY standings_entrant ON standings (entrant);
