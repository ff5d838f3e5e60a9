-- Several processes on one database (PostgreSQL). One file for both stores.
-- A delivery being sent is claimed: by whom, and until when the claim holds unless renewed.
-- A replica killed mid-pass leaves claims that expire, and another replica finishes them.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN claim_until TEXT;
CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 'pending';

-- Each running replica says it is alive every few seconds; the live ones split SEND_RATE.
CREATE TABLE replicas (
    id          TEXT PRIMARY KEY,
    host        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    seen_at     TEXT NOT NULL
);
