-- Arrival times, the points ledger, spot incentives and final boards.

-- When the event reached Bullpen: the Kafka record's timestamp (the broker's append time on a
-- topic with message.timestamp.type=LogAppendTime). A board counts only events that arrived
-- before it became final.
ALTER TABLE events ADD COLUMN arrived_at timestamptz NOT NULL DEFAULT now();

-- Every point a rep holds: whole numbers, never part of a contest score. Each row says where it
-- came from and who made it (a token id, or 'system').
CREATE TABLE ledger (
    id           bigserial PRIMARY KEY,
    rep_id       text NOT NULL,
    points       bigint NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('incentive', 'prize', 'adjustment', 'clawback')),
    event_id     text,
    deal_id      text,
    incentive_id uuid,
    contest_id   uuid,
    period_key   text,
    by           text NOT NULL,
    note         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_rep ON ledger (rep_id, id DESC);
-- What makes each payment happen at most once.
CREATE UNIQUE INDEX ledger_one_prize ON ledger (contest_id, period_key, rep_id) WHERE reason = 'prize';
CREATE UNIQUE INDEX ledger_one_reward ON ledger (incentive_id, event_id) WHERE reason = 'incentive';
CREATE UNIQUE INDEX ledger_one_clawback ON ledger (incentive_id, event_id) WHERE reason = 'clawback';

CREATE TABLE incentives (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title         text NOT NULL,
    event_type    text NOT NULL,
    min_amount    bigint,
    product       text,
    reward_points bigint NOT NULL,
    max_winners   integer NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    audience      jsonb,
    ended_at      timestamptz,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Every qualifying event applied while an incentive was open, in apply order; the winners are
-- the first max_winners distinct reps among them, and a freed place goes to the earliest one of
-- a rep who has not won.
CREATE TABLE incentive_entries (
    incentive_id   uuid NOT NULL REFERENCES incentives (id),
    seq            bigserial,
    event_id       text NOT NULL,
    rep_id         text NOT NULL,
    deal_id        text NOT NULL,
    applied_at     timestamptz NOT NULL DEFAULT now(),
    won_at         timestamptz,
    clawed_back_at timestamptz,
    PRIMARY KEY (incentive_id, event_id)
);
CREATE INDEX incentive_entries_order ON incentive_entries (incentive_id, seq);

-- A board (a contest, or one period of a periodic contest) that is final: results frozen,
-- prizes paid.
CREATE TABLE finals (
    contest_id   uuid NOT NULL REFERENCES contests (id),
    period_key   text NOT NULL,
    finalized_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contest_id, period_key)
);
