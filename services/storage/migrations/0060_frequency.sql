-- How often: per subscription, realtime / daily / weekly (daily is what there was before).
-- Quiet hours and the weekly weekday per chat; the realtime alert queue and its watermark.
-- One file for both stores: nothing here differs between SQLite and PostgreSQL.

ALTER TABLE subscriptions ADD COLUMN frequency TEXT NOT NULL DEFAULT 'daily'
    CHECK (frequency IN ('realtime', 'daily', 'weekly'));
CREATE INDEX subscriptions_not_daily ON subscriptions (frequency, topic_id)
    WHERE frequency <> 'daily';

-- A chat without a row has the defaults: quiet 23:00–07:00, weekly digests on Monday.
CREATE TABLE chat_preferences (
    chat_id      BIGINT  PRIMARY KEY REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    quiet_hours  TEXT    NOT NULL DEFAULT '23-07',   -- local "HH-HH", or 'off'
    weekday      INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6)  -- 0 = Monday
);

-- A story waiting for its realtime alert; sent once delivered_stories holds (chat, story).
CREATE TABLE alert_queue (
    chat_id    BIGINT NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    story_id   BIGINT NOT NULL,
    topic_id   BIGINT NOT NULL,
    queued_at  TEXT   NOT NULL,
    PRIMARY KEY (chat_id, story_id)
);
CREATE INDEX alert_queue_queued ON alert_queue (queued_at);

-- Articles fetched up to this moment have been matched against realtime topics.
CREATE TABLE alert_watermark (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    matched_until  TEXT    NOT NULL
);
