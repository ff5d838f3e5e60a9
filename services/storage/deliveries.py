"""Deliveries: one record per (chat, local date), written after every part sent.

That record is what makes a digest exactly-once: a pass that dies mid-way resumes
at `parts_sent`, and a chat never gets two digests for one local date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from services.clock import Clock
from services.storage.convert import (
    from_db_time,
    from_json_list,
    required_time,
    to_db_time,
    to_json_list,
)
from services.storage.database import Database
from services.storage.models import Delivery, DeliveryStatus


def _row_to_delivery(row: aiosqlite.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        chat_id=row["chat_id"],
        local_date=row["local_date"],
        status=row["status"],
        parts=from_json_list(row["parts"]),
        parts_total=row["parts_total"],
        parts_sent=row["parts_sent"],
        attempts=row["attempts"],
        window_start=from_db_time(row["window_start"]),
        window_end=from_db_time(row["window_end"]),
        last_error=row["last_error"],
        next_attempt_at=from_db_time(row["next_attempt_at"]),
        created_at=required_time(row["created_at"]),
        updated_at=required_time(row["updated_at"]),
    )


class DeliveryRepository:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def get(self, chat_id: int, local_date: str) -> Delivery | None:
        row = await self._db.fetchone(
            "SELECT * FROM deliveries WHERE chat_id = ? AND local_date = ?", (chat_id, local_date)
        )
        return _row_to_delivery(row) if row else None

    async def create(
        self,
        chat_id: int,
        local_date: str,
        *,
        parts: list[str],
        window_start: datetime | None,
        window_end: datetime | None,
        story_ids: Iterable[int] = (),
    ) -> Delivery:
        """Record the digest built for this date (status pending, nothing sent yet).

        The stories it holds are reserved for this chat in the same transaction, so a
        later digest never repeats them. Returns the existing record if one is there.
        """
        now = to_db_time(self._clock.now())
        status: DeliveryStatus = "pending" if parts else "empty"
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO deliveries (chat_id, local_date, status, parts, parts_total,"
                " window_start, window_end, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, local_date) DO NOTHING",
                (
                    chat_id,
                    local_date,
                    status,
                    to_json_list(parts),
                    len(parts),
                    to_db_time(window_start),
                    to_db_time(window_end),
                    now,
                    now,
                ),
            )
            if cursor.rowcount == 1 and cursor.lastrowid:
                await conn.executemany(
                    "INSERT INTO delivered_stories (chat_id, story_id, delivery_id) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [(chat_id, story_id, cursor.lastrowid) for story_id in story_ids],
                )
        delivery = await self.get(chat_id, local_date)
        assert delivery is not None
        return delivery

    async def mark_part_sent(self, delivery_id: int, parts_sent: int) -> None:
        """Advance the resume point; the last part turns the delivery `sent`."""
        now = to_db_time(self._clock.now())
        await self._db.execute(
            "UPDATE deliveries SET parts_sent = ?, last_error = NULL, updated_at = ?,"
            " status = CASE WHEN ? >= parts_total THEN 'sent' ELSE status END WHERE id = ?",
            (parts_sent, now, parts_sent, delivery_id),
        )

    async def set_status(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        *,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        await self._db.execute(
            "UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = ?,"
            " attempts = attempts + (? IS NOT NULL), updated_at = ? WHERE id = ?",
            (
                status,
                error,
                to_db_time(next_attempt_at),
                error,
                to_db_time(self._clock.now()),
                delivery_id,
            ),
        )

    async def unfinished(self) -> list[Delivery]:
        """Deliveries built but not completely sent (resumed by the next pass)."""
        rows = await self._db.fetchall(
            "SELECT * FROM deliveries WHERE status = 'pending' ORDER BY id"
        )
        return [_row_to_delivery(row) for row in rows]

    async def delivered_story_ids(self, chat_id: int) -> set[int]:
        rows = await self._db.fetchall(
            "SELECT story_id FROM delivered_stories WHERE chat_id = ?", (chat_id,)
        )
        return {row[0] for row in rows}

    async def count_sent_since(self, since: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM deliveries WHERE status = 'sent' AND updated_at >= ?",
            (to_db_time(since),),
        )
        return int(row[0]) if row else 0
