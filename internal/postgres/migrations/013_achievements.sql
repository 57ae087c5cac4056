-- Achievements (docs/api.md §3 "Achievements"): badges the consumer awards from the ledger.

-- The rules an admin or manager set with PUT /api/v1/achievements, as that endpoint shows them.
-- No row: no rule is enabled.
CREATE TABLE achievement_rules (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    rules      jsonb NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every badge awarded: one row per rep, kind and occurrence (a local date, a streak's first day
-- and length, a deal, a target period), whatever redelivers, restarts or runs twice. A badge
-- whose condition a reversal broke is revoked (revoked_at, revoked_reason), never deleted; one
-- earned again is the same row, awarded anew. points is what its award paid into the ledger.
CREATE TABLE achievements (
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
CREATE INDEX achievements_rep_awarded ON achievements (rep_id, awarded_at DESC);

-- The award a ledger row with reason 'achievement' paid or took back.
ALTER TABLE ledger ADD COLUMN achievement_id bigint;

-- expand: the previous release never writes 'achievement'; it reads a ledger row's reason as
-- text (GET /reps/{id}/ledger, ledger.csv) and sums points whatever the reason, so a row of the
-- new reason is listed and counted, not refused.
ALTER TABLE ledger DROP CONSTRAINT ledger_reason_check,
    ADD CONSTRAINT ledger_reason_check CHECK (reason IN ('incentive', 'prize', 'adjustment', 'clawback', 'achievement'));
