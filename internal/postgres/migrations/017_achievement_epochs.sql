-- What a consumer keeps of a rep's badges between batches (achievement.Known) holds while
-- nobody else changed them: every transaction that judges a rep's badges, or changes one of
-- its targets, sets the rep's epoch here to a random number of its own, under the rep's
-- balance lock; a consumer that finds an epoch other than the one it learnt under reads the
-- rep from the ledger again (internal/postgres/achievement_known.go). Expand-only: a new
-- table that the previous release never reads or writes.
CREATE TABLE achievement_epochs (
    rep_id text PRIMARY KEY,
    epoch  bigint NOT NULL
);
