-- Server nodes keep the tokens they know in memory and trust them while they hear of every
-- change (internal/http/tokens.go): each node reads the changes past the last one it saw every
-- second. A trigger logs them, so no writer can forget to (a revocation, a rotation, a deleted
-- screen unbinding its displays' tokens through its foreign key, and whatever comes later);
-- only last_used_at, written by every node as tokens are used, is no change.
--
-- token_changes_seen is one row: its counter, moved under the row's lock by each change, gives
-- the changes numbers that commit in order, so a reader that saw n has seen every change up to
-- n. The log keeps a day: a node that read nothing for longer forgets every token it knew.
-- Expand-only: new tables and a trigger whose writes the previous release never reads.
CREATE TABLE token_changes_seen (n bigint NOT NULL);
INSERT INTO token_changes_seen VALUES (0);

CREATE TABLE token_changes (
    n        bigint PRIMARY KEY,
    token_id text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION log_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next bigint;
BEGIN
    UPDATE token_changes_seen SET n = n + 1 RETURNING n INTO next;
    INSERT INTO token_changes (n, token_id) VALUES (next, OLD.id);
    DELETE FROM token_changes WHERE at < now() - interval '1 day';
    RETURN NULL;
END
$$;

CREATE TRIGGER tokens_changed AFTER UPDATE ON tokens FOR EACH ROW
    WHEN (to_jsonb(OLD) - 'last_used_at' IS DISTINCT FROM to_jsonb(NEW) - 'last_used_at')
    EXECUTE FUNCTION log_token_change();
CREATE TRIGGER tokens_deleted AFTER DELETE ON tokens FOR EACH ROW EXECUTE FUNCTION log_token_change();
