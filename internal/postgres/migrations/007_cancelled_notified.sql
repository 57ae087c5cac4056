-- Cancelled contests now announce contest.ended once; those cancelled before this version are
-- taken as announced, so an upgrade does not replay them all.
UPDATE contests SET ended_notified_at = cancelled_at WHERE cancelled_at IS NOT NULL AND ended_notified_at IS NULL;
