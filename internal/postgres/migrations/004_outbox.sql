-- Messages for the live channels, written in the same transaction as the change they report
-- and published after it commits, so nothing reaches a screen before the database has it and
-- nothing committed is lost on the way (a crash publishes it again after restart).
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    channel    text NOT NULL,
    type       text NOT NULL,
    data       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- When contest.started and contest.ended went out, so each goes out once.
ALTER TABLE contests ADD COLUMN started_notified_at timestamptz;
ALTER TABLE contests ADD COLUMN ended_notified_at timestamptz;
