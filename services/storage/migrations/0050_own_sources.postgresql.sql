-- PostgreSQL variant of 0050_own_sources.sql (a BOOLEAN flag, BIGINT ids).
ALTER TABLE sources ADD COLUMN shared BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE chat_sources (
    chat_id         BIGINT NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    source_id       BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    added_at        TEXT   NOT NULL,
    down_told_at    TEXT,
    paused_told_at  TEXT,
    PRIMARY KEY (chat_id, source_id)
);
CREATE INDEX chat_sources_source ON chat_sources (source_id);
