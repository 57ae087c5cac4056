-- Targets (quotas) and their attainment.

-- A target set: one team's targets on one metric for one month or quarter. Its time zone and
-- weights are the set's; starts_at and ends_at are the period cut in that time zone, kept so
-- that a batch finds the sets its events fall in with one range read.
CREATE TABLE target_sets (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period     text NOT NULL,               -- "2026-12" or "2026-Q4"
    metric     text NOT NULL,
    team_id    text NOT NULL,
    timezone   text NOT NULL,
    weights    jsonb,                       -- metric points only
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    UNIQUE (period, metric, team_id)
);
CREATE INDEX target_sets_time ON target_sets (ends_at, starts_at);

-- The targets of a set: each rep's, and the team's own (rep_id '').
CREATE TABLE targets (
    set_id     bigint NOT NULL REFERENCES target_sets (id) ON DELETE CASCADE,
    rep_id     text NOT NULL,
    target     bigint NOT NULL CHECK (target >= 0),   -- hundredths
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (set_id, rep_id)
);

-- What each rep has scored for a set: the events judged by the set's team, one running value
-- per row (no row per event). The team's value is the sum of its set's rows. version orders
-- the writes of a row into Redis. Written by every ingest batch, so without a foreign key (a
-- check per row, like contributions'): a set is removed with its rows under the ingest lock.
CREATE TABLE attainment (
    set_id     bigint NOT NULL,
    rep_id     text NOT NULL,
    value      bigint NOT NULL,
    version    bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (set_id, rep_id)
);
