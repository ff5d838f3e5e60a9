-- A chat's own sources. A source row is fetched once however many chats follow it;
-- `shared` says whether the operator lists it (SOURCES_FILE or an admin's /addsource),
-- so its articles reach everyone. A source that is not shared shows its articles only
-- to the chats linked to it here.
ALTER TABLE sources ADD COLUMN shared INTEGER NOT NULL DEFAULT 1;

CREATE TABLE chat_sources (
    chat_id         INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    added_at        TEXT    NOT NULL,
    down_told_at    TEXT,               -- the chat was told the source is down
    paused_told_at  TEXT,               -- the chat was told the source was paused
    PRIMARY KEY (chat_id, source_id)
);
CREATE INDEX chat_sources_source ON chat_sources (source_id);
