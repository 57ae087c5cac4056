-- Contributions are the ledger's heaviest write (about 1.4 rows per event); checking each row's
-- contest against the contests table cost a third of their insert time. Contest rows are never
-- deleted, so the check guards nothing a contest row's lifetime does not already.
ALTER TABLE contributions DROP CONSTRAINT contributions_contest_id_fkey;
