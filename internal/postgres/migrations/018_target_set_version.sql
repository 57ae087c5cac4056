-- A target set's version moves with every change of the set or of its targets, so a reader
-- that keeps a copy (the consumer's attainment boards, internal/pipeline/attainment.go) reads
-- one number to know whether its copy still holds. Expand-only: a column with a default, which
-- the previous release neither reads nor writes (its changes leave the version alone; the copy
-- is read again at least every minute anyway).
ALTER TABLE target_sets ADD COLUMN version bigint NOT NULL DEFAULT 1;
