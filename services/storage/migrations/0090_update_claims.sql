-- Telegram updates a replica has taken to handle: one row per update_id, so an update
-- that comes twice (polling after a takeover, a webhook retry) is handled by one replica.
-- The update itself is kept until it is finished: when its replica dies mid-handler,
-- a live one takes the claim over and handles the stored update (bot/update_claims.py).
-- One file for both stores: nothing here differs between SQLite and PostgreSQL.
CREATE TABLE update_claims (
    update_id    BIGINT PRIMARY KEY,
    claimed_by   TEXT NOT NULL,
    claimed_at   TEXT NOT NULL,
    finished_at  TEXT,
    payload      TEXT NOT NULL
);
CREATE INDEX update_claims_claimed_at ON update_claims (claimed_at);
CREATE INDEX update_claims_open ON update_claims (claimed_by) WHERE finished_at IS NULL;
