---- tern: disable-tx ----
-- Each endpoint's line of deliveries in order, by an index only the claim's head-of-line query
-- can use (internal/postgres/webhook_queue.go). The line is ordered by id + 0, which the
-- primary key cannot serve: ordered by id, the planner walked the primary key from the oldest
-- delivery past every one already delivered (4-7 ms an endpoint with a backlog, even after
-- ANALYZE: the delivered rows are exactly the oldest, where the walk starts); through this index
-- the head is one entry whatever the statistics. Built CONCURRENTLY (the consumer writes the
-- table with each batch); the DROP clears a build that failed halfway.
DROP INDEX CONCURRENTLY IF EXISTS webhook_deliveries_line;
CREATE INDEX CONCURRENTLY webhook_deliveries_line ON webhook_deliveries (endpoint_id, (id + 0))
    WHERE delivered_at IS NULL AND given_up_at IS NULL;
