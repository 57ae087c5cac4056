-- Screens (docs/api.md §3 "Screens"): a named configuration of wall displays, edited in the
-- console; a display token bound to one follows its changes live. Expand-only: two new tables
-- and a nullable column, which the previous release never reads or writes.
CREATE TABLE screens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL,
    slides          jsonb NOT NULL,              -- [{"kind": "contest", "id": …}, {"kind": "targets", "team": …}, …]
    seconds         integer NOT NULL,            -- per slide
    amounts         text NOT NULL,               -- show | hide
    sound           text NOT NULL,               -- on | off
    celebrate_teams text[] NOT NULL DEFAULT '{}', -- empty: every team's celebrations
    version         bigint NOT NULL DEFAULT 1,   -- counts the changes; a PUT may name the one it edited
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A display token bound to a screen shows that screen; a deleted screen leaves it unbound.
ALTER TABLE tokens ADD COLUMN screen_id uuid REFERENCES screens (id) ON DELETE SET NULL;

-- Pairing by code: a display without a token asks for a pairing (a short code it shows, and a
-- secret it keeps); a manager claims the code for a screen; the display's next poll with the
-- secret mints its token, bound to the screen, in the same transaction that deletes the row. The
-- code and the secret are stored hashed; a row past expires_at is refused, and deleted by the
-- next pairing asked for.
CREATE TABLE pairings (
    secret_hash bytea PRIMARY KEY,               -- sha256 of the display's pairing secret
    code_hash   bytea NOT NULL UNIQUE,           -- sha256 of the code shown (one live pairing per code)
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Once claimed: the token the display will be given, and who claimed it.
    screen_id   uuid REFERENCES screens (id) ON DELETE CASCADE,
    token_id    text,
    token_name  text,
    claimed_by  text,
    claimed_at  timestamptz
);
CREATE INDEX pairings_expires_at ON pairings (expires_at);
