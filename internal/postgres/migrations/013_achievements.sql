---- tern: disable-tx ----
-- Achievements (docs/api.md §3 "Achievements"): badges the consumer awards from the ledger.
--
-- Without a transaction (the magic comment above: tern runs each statement on its own), for
-- the indexes on deals at the end, built CONCURRENTLY as in 011: deals is written by every
-- batch. So every statement can run again after a failed run: IF NOT EXISTS, and the
-- constraint replaced in one statement.

-- The rules an admin or manager set with PUT /api/v1/achievements, as that endpoint shows them.
-- No row: no rule is enabled.
CREATE TABLE IF NOT EXISTS achievement_rules (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    rules      jsonb NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every badge awarded: one row per rep, kind and occurrence (a local date, a streak's first day
-- and length, a deal, a target period), whatever redelivers, restarts or runs twice. A badge
-- whose condition a reversal broke is revoked (revoked_at, revoked_reason), never deleted; one
-- earned again is the same row, awarded anew. points is what its award paid into the ledger.
CREATE TABLE IF NOT EXISTS achievements (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rep_id         text NOT NULL,
    kind           text NOT NULL,
    occurrence     text NOT NULL,
    deal_id        text,
    points         bigint NOT NULL DEFAULT 0,
    note           text NOT NULL DEFAULT '',
    awarded_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_reason text,
    UNIQUE (rep_id, kind, occurrence)
);
CREATE INDEX IF NOT EXISTS achievements_rep_awarded ON achievements (rep_id, awarded_at DESC);

-- The award a ledger row with reason 'achievement' paid or took back.
ALTER TABLE ledger ADD COLUMN IF NOT EXISTS achievement_id bigint;

-- expand: the previous release never writes 'achievement'; it reads a ledger row's reason as
-- text (GET /reps/{id}/ledger, ledger.csv) and sums points whatever the reason, so a row of the
-- new reason is listed and counted, not refused.
ALTER TABLE ledger DROP CONSTRAINT ledger_reason_check,
    ADD CONSTRAINT ledger_reason_check CHECK (reason IN ('incentive', 'prize', 'adjustment', 'clawback', 'achievement'));

-- Achievements read a rep's wins around the days a batch touched (first win, hat-trick,
-- streak) and its two largest won deals (personal best); deals had no index by rep. Both are
-- partial (won deals only) and built CONCURRENTLY: deals is written by every batch, and a
-- build that fails leaves an invalid index the DROP clears on the next run (as in 011).
DROP INDEX CONCURRENTLY IF EXISTS deals_rep_won;
CREATE INDEX CONCURRENTLY deals_rep_won ON deals (rep_id, won_at) WHERE won;
DROP INDEX CONCURRENTLY IF EXISTS deals_rep_amount;
CREATE INDEX CONCURRENTLY deals_rep_amount ON deals (rep_id, amount) WHERE won;
