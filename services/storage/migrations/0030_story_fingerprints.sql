-- The terms each article was clustered by (weighted lemmas of its title and lead), so
-- that a new article is compared with the last 48 hours without lemmatising them again.
-- `id` grows with every row written, so a process catches up with rows written by another.
CREATE TABLE story_fingerprints (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL UNIQUE REFERENCES articles (id) ON DELETE CASCADE,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    terms       TEXT    NOT NULL
);
CREATE INDEX story_fingerprints_at ON story_fingerprints (at);
