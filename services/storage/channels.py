"""Channels managed from a private chat, and the forum thread a group's digests go to.

A channel is a chat of its own (a `subscribers` row with its topics and settings); this
module holds who manages it (each person checked to be an administrator when they linked
it), which chat a person's commands apply to, and the thread of a forum supergroup.
Dropping a person's link drops their choice of it in the same statement (a foreign key
with ON DELETE CASCADE), so a person never acts on a channel they no longer manage.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.clock.clocks import Clock
from services.storage.convert import to_db_time
from services.storage.store import Row, Store


@dataclass(frozen=True, slots=True)
class Channel:
    chat_id: int
    title: str
    username: str | None

    @property
    def name(self) -> str:
        """How people know it: @username, else its title."""
        return f"@{self.username}" if self.username else self.title


def _row_to_channel(row: Row) -> Channel:
    return Channel(chat_id=row["chat_id"], title=row["title"], username=row["username"])


class ChannelRepository:
    def __init__(self, db: Store, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def link(self, channel: Channel, user_id: int) -> bool:
        """Record that `user_id` manages the channel (its subscriber row must exist);
        True when the link is new. The channel's title and username are refreshed."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO channel_chats (chat_id, title, username) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET title = excluded.title,"
                " username = excluded.username",
                (channel.chat_id, channel.title, channel.username),
            )
            cursor = await conn.execute(
                "INSERT INTO channel_managers (channel_id, user_id, linked_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (channel.chat_id, user_id, to_db_time(self._clock.now())),
            )
            return cursor.rowcount == 1

    async def get(self, channel_id: int) -> Channel | None:
        row = await self._db.fetchone(
            "SELECT * FROM channel_chats WHERE chat_id = ?", (channel_id,)
        )
        return _row_to_channel(row) if row else None

    async def managed_by(self, user_id: int) -> list[Channel]:
        """The channels the person manages, in the order they linked them."""
        rows = await self._db.fetchall(
            "SELECT c.* FROM channel_managers a JOIN channel_chats c ON c.chat_id = a.channel_id"
            " WHERE a.user_id = ? ORDER BY a.linked_at, c.chat_id",
            (user_id,),
        )
        return [_row_to_channel(row) for row in rows]

    async def admins_of(self, channel_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT user_id FROM channel_managers WHERE channel_id = ? ORDER BY user_id",
            (channel_id,),
        )
        return [row[0] for row in rows]

    async def current(self, user_id: int) -> Channel | None:
        """The channel the person's private-chat commands apply to; None: the private chat."""
        row = await self._db.fetchone(
            "SELECT c.* FROM managed_chats m JOIN channel_chats c ON c.chat_id = m.channel_id"
            " WHERE m.user_id = ?",
            (user_id,),
        )
        return _row_to_channel(row) if row else None

    async def switch(self, user_id: int, channel_id: int | None) -> bool:
        """Make the person's commands apply to a channel they manage (None: their private
        chat); False when they do not manage it."""
        if channel_id is None:
            await self._db.execute("DELETE FROM managed_chats WHERE user_id = ?", (user_id,))
            return True
        changed = await self._db.execute_rowcount(
            "INSERT INTO managed_chats (user_id, channel_id)"
            " SELECT user_id, channel_id FROM channel_managers WHERE user_id = ? AND channel_id = ?"
            " ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
            (user_id, channel_id),
        )
        return changed == 1

    async def unlink(self, channel_id: int, user_id: int) -> bool:
        """Drop one person's link (and their choice of the channel); True if there was one."""
        removed = await self._db.execute_rowcount(
            "DELETE FROM channel_managers WHERE channel_id = ? AND user_id = ?",
            (channel_id, user_id),
        )
        return removed == 1

    async def drop(self, channel_id: int) -> list[int]:
        """Drop every link to the channel (the bot left it); returns who was linked."""
        rows = await self._db.execute_returning(
            "DELETE FROM channel_managers WHERE channel_id = ? RETURNING user_id", (channel_id,)
        )
        return sorted(row[0] for row in rows)


class ThreadRepository:
    """The forum topic each supergroup's digests and alerts go to (`/here`)."""

    def __init__(self, db: Store) -> None:
        self._db = db

    async def set(self, chat_id: int, thread_id: int) -> None:
        await self._db.execute(
            "INSERT INTO chat_threads (chat_id, thread_id) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET thread_id = excluded.thread_id",
            (chat_id, thread_id),
        )

    async def clear(self, chat_id: int) -> None:
        await self._db.execute("DELETE FROM chat_threads WHERE chat_id = ?", (chat_id,))

    async def all(self) -> dict[int, int]:
        """chat id → thread id, for every chat that chose a thread (a few rows: read per pass)."""
        rows = await self._db.fetchall("SELECT chat_id, thread_id FROM chat_threads")
        return {row[0]: row[1] for row in rows}
