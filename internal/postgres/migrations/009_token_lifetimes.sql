-- Tokens with a life cycle: an optional expiry, and rotation. A rotated token keeps its id, role
-- and rep; the secret it replaced stays valid until previous_until, so a wall display that still
-- holds it is not cut off before it is given the new one.
ALTER TABLE tokens
    ADD COLUMN expires_at     timestamptz,
    ADD COLUMN rotated_at     timestamptz,
    ADD COLUMN previous_hash  bytea UNIQUE,    -- sha256 of the secret the last rotation replaced
    ADD COLUMN previous_until timestamptz;     -- when that secret stops working
