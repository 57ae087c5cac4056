-- Outbound webhooks (docs/api.md §3 "Webhooks"): endpoints managers register, the deliveries
-- queued for them in the transaction of the change each reports, and every attempt's outcome.
-- New tables only: a release without webhooks runs against this schema unchanged.

CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL DEFAULT '',
    url             text NOT NULL,
    events          text[] NOT NULL,
    format          text NOT NULL,
    -- The HMAC key the deliverer signs with ("whsec_…"): it must be read back to sign, so it
    -- is kept as given, like the database's own credentials are kept by whoever runs it.
    secret          text NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    disabled_at     timestamptz,
    disabled_reason text,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- A deleted endpoint stays a while (disabled, out of every list) so a batch that is
    -- queueing a delivery for it as it goes never fails on the foreign key; the deliverer's
    -- pruning removes it, with its deliveries and log, after the log's retention.
    deleted_at      timestamptz
);

-- One row per message and endpoint subscribed to its type, written with the outbox row of the
-- same message. id is the order: an endpoint's deliveries go out by id, one at a time, the
-- next only once the one before it was delivered or given up.
CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    delivery_id     uuid NOT NULL DEFAULT gen_random_uuid(), -- webhook-id: the receiver's dedupe key
    type            text NOT NULL,
    channel         text NOT NULL,
    data            jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    first_failed_at timestamptz,
    last_error      text,
    delivered_at    timestamptz,
    given_up_at     timestamptz
);

-- An endpoint's head of line: its oldest delivery still to send (a scan of one row per endpoint).
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, id)
    WHERE delivered_at IS NULL AND given_up_at IS NULL;
-- Pruning what went out long ago.
CREATE INDEX webhook_deliveries_done ON webhook_deliveries (delivered_at) WHERE delivered_at IS NOT NULL;

-- The delivery log: one row per attempt, newest first per endpoint (GET …/deliveries).
CREATE TABLE webhook_attempts (
    id          bigserial PRIMARY KEY,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    delivery_id uuid NOT NULL,
    type        text NOT NULL,
    attempt     integer NOT NULL,
    at          timestamptz NOT NULL,
    status      integer,          -- the receiver's HTTP status; null when it gave none
    latency_ms  integer NOT NULL,
    error       text,             -- null for a 2xx
    next_attempt_at timestamptz,  -- when it is tried again; null when delivered or given up
    gave_up     boolean NOT NULL DEFAULT false
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
CREATE INDEX webhook_attempts_at ON webhook_attempts (at);
