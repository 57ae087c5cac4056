-- Which programs may run on this schema (docs/upgrading.md). A program embeds migrations 1..N and
-- runs on a database at version N or later as long as N >= oldest_program: the migrations past N
-- only expanded the schema (new tables, columns, indexes), which a program that does not know
-- them never touches. That is what lets a rolling update run the previous release beside the
-- next on one schema, and a rollback run it alone after the migration. A migration that
-- contracts (drops, renames or retypes what an older program reads or writes, or adds a rule its
-- writes could break) raises oldest_program in the same file; TestMigrationsOnlyExpand holds
-- every migration to that.
--
-- 12 is the first program that reads this row: older ones refuse any newer schema anyway.
CREATE TABLE schema_floor (
    one            boolean PRIMARY KEY DEFAULT true CHECK (one),
    oldest_program integer NOT NULL
);
INSERT INTO schema_floor (oldest_program) VALUES (12);
