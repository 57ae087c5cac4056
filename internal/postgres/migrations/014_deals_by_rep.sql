---- tern: disable-tx ----
-- Achievements read a rep's wins around the days a batch touched (first win, hat-trick,
-- streak) and its two largest won deals (personal best); deals had no index by rep. Both are
-- partial (won deals only) and built CONCURRENTLY: deals is written by every batch, and a
-- build that fails leaves an invalid index the DROP clears on the next run (as in 011).
DROP INDEX CONCURRENTLY IF EXISTS deals_rep_won;
CREATE INDEX CONCURRENTLY deals_rep_won ON deals (rep_id, won_at) WHERE won;
DROP INDEX CONCURRENTLY IF EXISTS deals_rep_amount;
CREATE INDEX CONCURRENTLY deals_rep_amount ON deals (rep_id, amount) WHERE won;
