-- The audit trail readable (GET /api/v1/audit): each change keeps the before and after of the
-- fields it changed beside its detail, and is found by who made it, by the kind of thing it
-- changed or that one thing, within a time range, newest first.
ALTER TABLE changes
    ADD COLUMN before jsonb,
    ADD COLUMN after  jsonb,
    -- The kind of thing changed is the action's first word ("contest.update"), so every
    -- writer, older ones included, files its changes under a kind without saying so.
    ADD COLUMN kind   text GENERATED ALWAYS AS (split_part(action, '.', 1)) STORED;

-- A target set's subject named its kind twice ("targets/2026-12/revenue/east"); the kind is
-- now its own column. Only the subject changes: detail stays as it was written.
UPDATE changes SET subject = substr(subject, length('targets/') + 1)
    WHERE kind = 'targets' AND subject LIKE 'targets/%';

-- The trail is read newest first in pages that resume after (at, id): each filter, and an actor
-- with a kind, has an index that yields its rows in that order, so a page reads about as many
-- rows as it shows (docs/benchmarks.md, "Reading the audit trail"). Changes are written by
-- people and by event posts, not per event: five indexes cost little there.
CREATE INDEX changes_at ON changes (at, id);
CREATE INDEX changes_by ON changes (by, at, id);
CREATE INDEX changes_kind ON changes (kind, at, id);
CREATE INDEX changes_by_kind ON changes (by, kind, at, id);
CREATE INDEX changes_entity ON changes (kind, subject, at, id);

-- The token that sent an event through POST /api/v1/events (a Kafka header the server sets);
-- null for an event written to the topic by anyone else.
ALTER TABLE events ADD COLUMN sent_by text;
