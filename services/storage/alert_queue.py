"""Stories waiting for their realtime alert, and how far matching has got.

A queued story is pending until `delivered_stories` holds it for the chat: the alert's
delivery record reserves it in the same transaction that records the message
(services/storage/deliveries.py), so "sent" has one meaning for alerts and digests
alike, and a story a digest already carried is never alerted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.storage.convert import from_db_time, required_time, to_db_time
from services.storage.in_lists import in_lists
from services.storage.store import Store

ALERT_KEY = "alert:"  # deliveries.local_date of one story's alert: "alert:<story id>"
BATCH_KEY = "alerts:"  # of a batch: "alerts:<local hour>"


@dataclass(frozen=True, slots=True)
class QueuedAlert:
    chat_id: int
    story_id: int
    topic_id: int
    queued_at: datetime


class AlertQueueRepository:
    def __init__(self, db: Store) -> None:
        self._db = db

    async def matched_until(self) -> datetime | None:
        """Articles fetched before this moment have been matched already."""
        row = await self._db.fetchone("SELECT matched_until FROM alert_watermark WHERE id = 1")
        return from_db_time(row[0]) if row else None

    async def enqueue(self, alerts: Sequence[QueuedAlert], *, matched_until: datetime) -> None:
        """Queue the alerts not queued before and move the watermark, in one transaction.

        A story a digest already carried to the chat may be queued; it is never pending
        (`pending`), so never sent.
        """
        async with self._db.transaction() as conn:
            if alerts:
                await conn.executemany(
                    "INSERT INTO alert_queue (chat_id, story_id, topic_id, queued_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [(a.chat_id, a.story_id, a.topic_id, to_db_time(a.queued_at)) for a in alerts],
                )
            await conn.execute(
                "INSERT INTO alert_watermark (id, matched_until) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET matched_until = excluded.matched_until",
                (to_db_time(matched_until),),
            )

    async def pending(self) -> list[QueuedAlert]:
        """Queued stories not yet delivered to their chat (paused and blocked chats wait)."""
        rows = await self._db.fetchall(
            "SELECT q.chat_id, q.story_id, q.topic_id, q.queued_at FROM alert_queue q"
            " JOIN subscribers s ON s.chat_id = q.chat_id"
            " WHERE NOT s.paused AND NOT s.blocked AND NOT EXISTS (SELECT 1 FROM"
            " delivered_stories d WHERE d.chat_id = q.chat_id AND d.story_id = q.story_id)"
            " ORDER BY q.chat_id, q.queued_at, q.story_id"
        )
        return [QueuedAlert(row[0], row[1], row[2], required_time(row[3])) for row in rows]

    async def alerted_since(
        self, chat_ids: Sequence[int], since: datetime
    ) -> dict[int, dict[int, list[datetime]]]:
        """When each single-story alert recorded since `since` was: chat → topic → times."""
        found: dict[int, dict[int, list[datetime]]] = {}
        ids = sorted(set(chat_ids))
        for chunk, marks in in_lists(ids):
            rows = await self._db.fetchall(
                "SELECT q.chat_id, q.topic_id, d.created_at FROM alert_queue q"  # noqa: S608
                " JOIN delivered_stories ds ON ds.chat_id = q.chat_id AND ds.story_id = q.story_id"
                " JOIN deliveries d ON d.id = ds.delivery_id"
                f" WHERE q.chat_id IN ({marks}) AND d.local_date LIKE ? AND d.created_at >= ?",
                [*chunk, f"{ALERT_KEY}%", to_db_time(since)],
            )
            for row in rows:
                found.setdefault(row[0], {}).setdefault(row[1], []).append(required_time(row[2]))
        return found

    async def prune(self, before: datetime) -> int:
        """Delete the rows queued before `before` (by the queued_at index); how many went."""
        return await self._db.execute_rowcount(
            "DELETE FROM alert_queue WHERE queued_at < ?", (to_db_time(before),)
        )

    async def first_arrivals(self, story_ids: Iterable[int]) -> dict[int, datetime]:
        """When each story's first article was fetched."""
        ids = sorted(set(story_ids))
        found: dict[int, datetime] = {}
        for chunk, marks in in_lists(ids):
            rows = await self._db.fetchall(
                "SELECT story_id, MIN(fetched_at) FROM articles"  # noqa: S608
                f" WHERE story_id IN ({marks}) GROUP BY story_id",
                chunk,
            )
            found.update((row[0], required_time(row[1])) for row in rows)
        return found
