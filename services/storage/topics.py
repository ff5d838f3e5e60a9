"""Topics (catalogue and personal queries) and the subscriptions that tie chats to them."""

from __future__ import annotations

from services.clock.clocks import Clock
from services.storage.convert import required_time, to_db_time
from services.storage.models import Topic
from services.storage.store import Row, Store


def _row_to_topic(row: Row) -> Topic:
    return Topic(
        id=row["id"],
        slug=row["slug"],
        query=row["query"],
        title_ru=row["title_ru"],
        title_en=row["title_en"],
        title_kk=row["title_kk"],
        owner_chat_id=row["owner_chat_id"],
        created_at=required_time(row["created_at"]),
    )


class TopicRepository:
    def __init__(self, db: Store, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def upsert_catalogue(
        self, slug: str, *, query: str, title_ru: str, title_en: str, title_kk: str
    ) -> Topic:
        """Add a catalogue topic or update its query and titles; the id stays stable."""
        await self._db.execute(
            "INSERT INTO topics (slug, query, title_ru, title_en, title_kk, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO UPDATE SET query = excluded.query,"
            " title_ru = excluded.title_ru, title_en = excluded.title_en,"
            " title_kk = excluded.title_kk",
            (slug, query, title_ru, title_en, title_kk, to_db_time(self._clock.now())),
        )
        topic = await self.by_slug(slug)
        assert topic is not None
        return topic

    async def remove_catalogue_except(self, slugs: set[str]) -> int:
        """Delete catalogue topics no longer in the catalogue file (their subscriptions go too)."""
        rows = await self._db.fetchall("SELECT slug FROM topics WHERE slug IS NOT NULL")
        stale = [row["slug"] for row in rows if row["slug"] not in slugs]
        async with self._db.transaction() as conn:
            for slug in stale:
                await conn.execute("DELETE FROM topics WHERE slug = ?", (slug,))
        return len(stale)

    async def add_personal(self, owner_chat_id: int, query: str, title: str) -> Topic:
        """The chat's own query as a topic (existing one returned if the query repeats)."""
        await self._db.execute(
            "INSERT INTO topics (query, title_ru, title_en, title_kk, owner_chat_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner_chat_id, query)"
            " WHERE owner_chat_id IS NOT NULL DO NOTHING",
            (query, title, title, title, owner_chat_id, to_db_time(self._clock.now())),
        )
        row = await self._db.fetchone(
            "SELECT * FROM topics WHERE owner_chat_id = ? AND query = ?", (owner_chat_id, query)
        )
        assert row is not None
        return _row_to_topic(row)

    async def get(self, topic_id: int) -> Topic | None:
        row = await self._db.fetchone("SELECT * FROM topics WHERE id = ?", (topic_id,))
        return _row_to_topic(row) if row else None

    async def by_slug(self, slug: str) -> Topic | None:
        row = await self._db.fetchone("SELECT * FROM topics WHERE slug = ?", (slug,))
        return _row_to_topic(row) if row else None

    async def catalogue(self) -> list[Topic]:
        rows = await self._db.fetchall("SELECT * FROM topics WHERE slug IS NOT NULL ORDER BY id")
        return [_row_to_topic(row) for row in rows]

    async def count(self) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) FROM topics")
        return int(row[0]) if row else 0


class SubscriptionRepository:
    def __init__(self, db: Store, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def subscribe(self, chat_id: int, topic_id: int) -> bool:
        """Subscribe; returns False when the chat was already subscribed."""
        inserted = await self._db.execute_rowcount(
            "INSERT INTO subscriptions (chat_id, topic_id, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (chat_id, topic_id, to_db_time(self._clock.now())),
        )
        return inserted == 1

    async def unsubscribe(self, chat_id: int, topic_id: int) -> bool:
        """Unsubscribe; a personal topic left without subscribers is deleted with it."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND topic_id = ?", (chat_id, topic_id)
            )
            removed = cursor.rowcount == 1
            await conn.execute(
                "DELETE FROM topics WHERE id = ? AND owner_chat_id IS NOT NULL AND NOT EXISTS"
                " (SELECT 1 FROM subscriptions WHERE topic_id = ?)",
                (topic_id, topic_id),
            )
        return removed

    async def topics_of(self, chat_id: int) -> list[Topic]:
        rows = await self._db.fetchall(
            "SELECT t.* FROM topics t JOIN subscriptions s ON s.topic_id = t.id"
            " WHERE s.chat_id = ? ORDER BY s.created_at, t.id",
            (chat_id,),
        )
        return [_row_to_topic(row) for row in rows]

    async def is_subscribed(self, chat_id: int, topic_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM subscriptions WHERE chat_id = ? AND topic_id = ?", (chat_id, topic_id)
        )
        return row is not None

    async def subscribed_topics(self) -> list[Topic]:
        """Every topic that has at least one subscriber."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT t.* FROM topics t JOIN subscriptions s ON s.topic_id = t.id"
            " ORDER BY t.id"
        )
        return [_row_to_topic(row) for row in rows]
