-- Channels managed from a private chat, and forum threads that take a group's digest.
-- Tables named so that `migrate-db`, copying in name order, copies parents first.
-- One file for both stores: nothing here differs between SQLite and PostgreSQL.

-- A channel is a chat of its own (a subscribers row); this is how people know it.
CREATE TABLE channel_chats (
    chat_id   BIGINT PRIMARY KEY REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    title     TEXT   NOT NULL,
    username  TEXT
);

-- Who manages a channel: a person checked to be its administrator when they linked it.
CREATE TABLE channel_managers (
    channel_id  BIGINT NOT NULL REFERENCES channel_chats (chat_id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL,
    linked_at   TEXT   NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_managers_user ON channel_managers (user_id);

-- Which channel a person's commands in the private chat apply to; no row: the private chat.
CREATE TABLE managed_chats (
    user_id     BIGINT PRIMARY KEY,
    channel_id  BIGINT NOT NULL,
    FOREIGN KEY (channel_id, user_id) REFERENCES channel_managers (channel_id, user_id)
        ON DELETE CASCADE
);

-- The forum topic (message_thread_id) a supergroup's digests and alerts are posted in.
CREATE TABLE chat_threads (
    chat_id    BIGINT PRIMARY KEY REFERENCES subscribers (chat_id) ON DELETE CASCADE,
    thread_id  BIGINT NOT NULL
);
