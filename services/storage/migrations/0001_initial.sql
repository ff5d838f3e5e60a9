-- The whole schema of DESIGN.md's Data section. Times are ISO-8601 UTC text
-- ("2026-03-20T09:15:00+00:00"); local dates are "YYYY-MM-DD".

CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT    NOT NULL UNIQUE,
    name                 TEXT    NOT NULL,
    language             TEXT,
    kind                 TEXT    NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'page')),
    enabled              INTEGER NOT NULL DEFAULT 1,
    etag                 TEXT,
    last_modified        TEXT,
    last_fetch_at        TEXT,
    last_success_at      TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT,
    next_fetch_at        TEXT,
    failure_alerted_at   TEXT,
    created_at           TEXT    NOT NULL
);

CREATE TABLE stories (
    id             INTEGER PRIMARY KEY,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    article_count  INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stories_last_seen ON stories (last_seen_at);

CREATE TABLE articles (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources (id) ON DELETE SET NULL,
    url            TEXT    NOT NULL,
    canonical_url  TEXT    NOT NULL UNIQUE,
    content_hash   TEXT    NOT NULL,
    language       TEXT    NOT NULL DEFAULT 'ru',
    title          TEXT    NOT NULL DEFAULT '',
    author         TEXT,
    text           TEXT    NOT NULL DEFAULT '',
    summary        TEXT,               -- JSON array of sentences, NULL until summarised
    lemmas         TEXT,               -- space-separated lemmas of title + text, NULL until indexed
    published_at   TEXT,
    fetched_at     TEXT    NOT NULL,
    story_id       INTEGER REFERENCES stories (id) ON DELETE SET NULL
);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_fetched_at ON articles (fetched_at);
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX articles_source ON articles (source_id);

-- Lemma text of each article; rowid = articles.id. Title and lead are separate
-- columns so that ranking can weigh them above the body.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, lead, body,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE subscribers (
    chat_id         INTEGER PRIMARY KEY,
    chat_type       TEXT    NOT NULL DEFAULT 'private',
    language        TEXT    NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en', 'kk')),
    timezone        TEXT    NOT NULL,
    digest_time     TEXT    NOT NULL,  -- local "HH:MM"
    digest_length   INTEGER NOT NULL DEFAULT 3 CHECK (digest_length BETWEEN 1 AND 5),
    paused          INTEGER NOT NULL DEFAULT 0,
    blocked         INTEGER NOT NULL DEFAULT 0,
    last_digest_at  TEXT,              -- UTC end of the window of the last digest sent
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

CREATE TABLE topics (
    id             INTEGER PRIMARY KEY,
    slug           TEXT UNIQUE,        -- catalogue topics only
    query          TEXT NOT NULL,
    title_ru       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    title_kk       TEXT NOT NULL,
    owner_chat_id  INTEGER REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    CHECK ((slug IS NULL) <> (owner_chat_id IS NULL))
);
CREATE UNIQUE INDEX topics_personal ON topics (owner_chat_id, query) WHERE owner_chat_id IS NOT NULL;

CREATE TABLE subscriptions (
    chat_id     INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    topic_id    INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (chat_id, topic_id)
);
CREATE INDEX subscriptions_topic ON subscriptions (topic_id);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    local_date       TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'empty', 'failed', 'blocked')),
    parts            TEXT,             -- JSON array of the rendered messages, fixed once built
    parts_total      INTEGER NOT NULL DEFAULT 0,
    parts_sent       INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    window_start     TEXT,
    window_end       TEXT,
    last_error       TEXT,
    next_attempt_at  TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (chat_id, local_date)
);
CREATE INDEX deliveries_status ON deliveries (status);

CREATE TABLE delivered_stories (
    chat_id      INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    story_id     INTEGER NOT NULL,
    delivery_id  INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
    PRIMARY KEY (chat_id, story_id)
);
