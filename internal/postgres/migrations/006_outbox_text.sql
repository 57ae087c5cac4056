-- The outbox's data is an already-encoded message body that only passes through: kept as text,
-- it is neither parsed into jsonb on the way in nor printed back on the way out (each deal won
-- queues one celebration, so this is on the ingest path).
ALTER TABLE outbox ALTER COLUMN data TYPE text USING data::text;
