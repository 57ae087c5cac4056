-- The ledger: every event once, the deals it made, what each event contributed to each
-- contest board, and the standings those contributions add up to.

CREATE TABLE reps (
    rep_id     text PRIMARY KEY,
    name       text NOT NULL DEFAULT '',
    team_id    text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reps_lower_name ON reps (lower(name) text_pattern_ops);

CREATE TABLE events (
    event_id    text PRIMARY KEY,
    type        text NOT NULL,
    rep_id      text NOT NULL,
    team_id     text NOT NULL DEFAULT '',   -- the rep's team when the event was applied
    deal_id     text,
    occurred_at timestamptz NOT NULL,
    amount      bigint,                     -- hundredths of the currency's major unit
    units       bigint,
    product     text,
    activity    text,
    changed     boolean NOT NULL,           -- false: recorded, changed nothing
    source      text NOT NULL DEFAULT '',   -- topic/partition/offset, or api
    applied_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_deal ON events (deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX events_activity_time ON events (occurred_at) WHERE type = 'activity';

CREATE TABLE deals (
    deal_id      text PRIMARY KEY,
    rep_id       text NOT NULL,
    team_id      text NOT NULL DEFAULT '',
    won          boolean NOT NULL,
    amount       bigint NOT NULL,
    units        bigint NOT NULL,
    product      text NOT NULL DEFAULT '',
    won_at       timestamptz NOT NULL,
    won_event_id text NOT NULL,
    counted      jsonb NOT NULL DEFAULT '[]'  -- [{c: contest, p: period key, e: entrant, v: value}]
);
CREATE INDEX deals_won_at ON deals (won_at) WHERE won;

CREATE TABLE contests (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name         text NOT NULL,
    kind         text NOT NULL,
    metric       text NOT NULL,
    weights      jsonb,
    scope        text NOT NULL,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz,
    timezone     text NOT NULL,
    period       text NOT NULL,
    target       bigint,
    max_winners  integer NOT NULL DEFAULT 0,
    participants jsonb,
    prizes       jsonb NOT NULL DEFAULT '[]',
    min_score    bigint,
    ended_at     timestamptz,
    cancelled_at timestamptz,
    finalized_at timestamptz,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contributions (
    event_id   text NOT NULL,
    contest_id uuid NOT NULL REFERENCES contests (id),
    period_key text NOT NULL,
    entrant    text NOT NULL,
    rep_id     text NOT NULL,
    delta      bigint NOT NULL,
    PRIMARY KEY (event_id, contest_id)
);
CREATE INDEX contributions_board ON contributions (contest_id, period_key, entrant);

CREATE TABLE standings (
    contest_id uuid NOT NULL REFERENCES contests (id),
    period_key text NOT NULL,
    entrant    text NOT NULL,
    score      bigint NOT NULL,
    reached_at timestamptz NOT NULL,
    version    bigint NOT NULL DEFAULT 1,   -- orders writes of the same row into Redis
    PRIMARY KEY (contest_id, period_key, entrant)
);

CREATE TABLE tokens (
    id           text PRIMARY KEY,
    hash         bytea NOT NULL UNIQUE,     -- sha256 of the secret
    role         text NOT NULL,
    rep_id       text,
    name         text NOT NULL DEFAULT '',
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   text
);

CREATE TABLE idempotency_keys (
    token_id   text NOT NULL,
    key        text NOT NULL,
    method     text NOT NULL,
    path       text NOT NULL,
    status     integer NOT NULL,
    body       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);

-- Every change made through the API: who (a token id) did what to which thing.
CREATE TABLE changes (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    by         text NOT NULL,
    action     text NOT NULL,
    subject    text NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}'
);

-- Identifies this database's ledger, so a Redis projection can tell whose data it holds.
CREATE TABLE projection (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    generation uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO projection DEFAULT VALUES;
