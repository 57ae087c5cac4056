-- Races: when each entrant finished (reached the target and kept it), and when the race ended
-- because max_winners had finished.
ALTER TABLE standings ADD COLUMN finished_at timestamptz;
ALTER TABLE contests ADD COLUMN race_ended_at timestamptz;
