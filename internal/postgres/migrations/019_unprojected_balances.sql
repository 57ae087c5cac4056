-- A writer that changes a rep's balance outside a consumer's batch (a contest's final, an
-- adjustment) writes the new balance to Redis after its commit; a write that fails there, or a
-- process killed between the two, would leave the projection stale. Such a writer records the
-- rep here in its transaction; the consumer's projection check writes the ledger's balance of
-- each rep recorded and deletes the rows it wrote (postgres.DB.ProjectBalances). A row per
-- change, not per rep: a row committed while the check runs is left for the next one.
-- Expand-only: a new table the previous release does not know (its writers do not record,
-- as before).
CREATE TABLE unprojected_balances (
    id     bigserial PRIMARY KEY,
    rep_id text NOT NULL
);
