"""Deliveries: one record per (chat, local date), written after every part sent.

That record is what makes a digest exactly-once: a pass that dies mid-way resumes
at `parts_sent`, and a chat never gets two digests for one local date.

With several processes on one database (PostgreSQL) a pending delivery is sent by the
process that claimed it (`claim`): the claim names its owner and holds until
`claim_until`, renewed while the owner works (`renew_claims`) and on every part sent. A
process that dies leaves claims that expire, and another one takes them over; a part is
recorded only while its sender still holds the claim, so a delivery is never sent by two.
On SQLite one process owns the file (the delivery pass lock), so claims never wait.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.clock.clocks import Clock
from services.storage.convert import (
    from_db_time,
    from_json_list,
    required_time,
    to_db_time,
    to_json_list,
)
from services.storage.in_lists import in_lists
from services.storage.models import Delivery, DeliveryStatus
from services.storage.store import Row, Store

CLAIM_LEASE = timedelta(seconds=20)
"""How long a claim holds without renewal: how soon another process finishes a dead one's work."""


def process_name() -> str:
    """A name for this process, unique among replicas: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A digest built for one chat and local date, ready to be recorded before it is sent."""

    chat_id: int
    local_date: str
    parts: list[str]
    window_start: datetime | None
    window_end: datetime | None
    story_ids: tuple[int, ...] = ()


_WITHOUT_PARTS = (
    "id, chat_id, local_date, status, NULL AS parts, parts_total, parts_sent, attempts,"
    " window_start, window_end, last_error, next_attempt_at, created_at, updated_at"
)


def _row_to_delivery(row: Row) -> Delivery:
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
    def __init__(
        self,
        db: Store,
        clock: Clock,
        *,
        owner: str | None = None,
        lease: timedelta = CLAIM_LEASE,
    ) -> None:
        self._db = db
        self._clock = clock
        self.owner = owner or process_name()
        self.lease = lease
        # Where one process owns the store, another owner's claim is a dead process's.
        self._others_alive = db.dialect.replicas

    async def get(self, chat_id: int, local_date: str) -> Delivery | None:
        row = await self._db.fetchone(
            "SELECT * FROM deliveries WHERE chat_id = ? AND local_date = ?", (chat_id, local_date)
        )
        return _row_to_delivery(row) if row else None

    async def mark_part_sent(
        self, delivery_id: int, parts_sent: int, *, error: str | None = None
    ) -> bool:
        """Advance the resume point; the last part turns the delivery `sent`.

        `error` records why this part went out in a lesser form (or not at all);
        a part sent as it was clears the last error. The claim is renewed; False when
        another process has taken the delivery over (this one must stop sending it).
        """
        moment = self._clock.now()
        now = to_db_time(moment)
        changed = await self._db.execute_rowcount(
            "UPDATE deliveries SET parts_sent = ?, last_error = ?, next_attempt_at = NULL,"
            " updated_at = ?, claim_until = ?,"
            " status = CASE WHEN ? >= parts_total THEN 'sent' ELSE status END"
            " WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)",
            (
                parts_sent,
                error,
                now,
                to_db_time(moment + self.lease),
                parts_sent,
                delivery_id,
                self.owner,
            ),
        )
        return changed > 0

    async def claim(self, *, limit: int) -> list[Delivery]:
        """Claim up to `limit` pending deliveries that are due and nobody holds, oldest first.

        One statement picks and marks them, so two processes never claim one delivery;
        on PostgreSQL rows another process is claiming are skipped, not waited for.
        """
        moment = self._clock.now()
        now = to_db_time(moment)
        free = " AND (d.claim_until IS NULL OR d.claim_until <= ?"
        params: list[object] = [self.owner, to_db_time(moment + self.lease), now, now]
        if not self._others_alive:
            free += " OR d.claimed_by <> ?"
            params.append(self.owner)
        free += ")"
        params.append(limit)
        rows = await self._db.execute_returning(
            "UPDATE deliveries SET claimed_by = ?, claim_until = ? WHERE id IN"
            " (SELECT d.id FROM deliveries d WHERE d.status = 'pending'"
            " AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)"
            f"{free} AND NOT EXISTS (SELECT 1 FROM subscribers s"
            " WHERE s.chat_id = d.chat_id AND s.blocked)"
            f" ORDER BY d.id LIMIT ?{self._db.dialect.skip_locked}) RETURNING *",
            params,
        )
        return sorted((_row_to_delivery(row) for row in rows), key=lambda d: d.id)

    async def renew_claims(self) -> int:
        """Extend every claim this process holds on an unfinished delivery; how many."""
        moment = self._clock.now()
        return await self._db.execute_rowcount(
            "UPDATE deliveries SET claim_until = ? WHERE claimed_by = ? AND status = 'pending'",
            (to_db_time(moment + self.lease), self.owner),
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
            " attempts = attempts + ?, updated_at = ?, claimed_by = NULL, claim_until = NULL"
            " WHERE id = ?",
            (
                status,
                error,
                to_db_time(next_attempt_at),
                0 if error is None else 1,
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

    async def create_many(self, built: Sequence[NewDelivery]) -> list[Delivery]:
        """Record many digests in one transaction; an existing (chat, date) record is kept as is.

        Each chat's stories are reserved and, for a digest with content, its window end
        becomes the chat's `last_digest_at` in the same transaction: the record, the
        reservation and the next window's start can never disagree after a crash.
        Returns the records that were created now, without their parts.
        """
        now = to_db_time(self._clock.now())
        created: list[int] = []
        async with self._db.transaction() as conn:
            for item in built:
                cursor = await conn.execute(
                    "INSERT INTO deliveries (chat_id, local_date, status, parts, parts_total,"
                    " window_start, window_end, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (chat_id, local_date) DO NOTHING RETURNING id",
                    (
                        item.chat_id,
                        item.local_date,
                        "pending" if item.parts else "empty",
                        to_json_list(item.parts),
                        len(item.parts),
                        to_db_time(item.window_start),
                        to_db_time(item.window_end),
                        now,
                        now,
                    ),
                )
                row = await cursor.fetchone()
                if row is None:
                    continue
                delivery_id = int(row[0])
                created.append(delivery_id)
                if item.story_ids:
                    await conn.executemany(
                        "INSERT INTO delivered_stories (chat_id, story_id, delivery_id)"
                        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        [(item.chat_id, story, delivery_id) for story in item.story_ids],
                    )
                if item.parts and item.window_end is not None:
                    await conn.execute(
                        "UPDATE subscribers SET last_digest_at = ? WHERE chat_id = ?",
                        (to_db_time(item.window_end), item.chat_id),
                    )
        return await self._by_ids(created)

    async def _by_ids(self, ids: Sequence[int]) -> list[Delivery]:
        """The records, without their parts (the caller built them; a pass of thousands
        of digests should not hold a second copy of every message)."""
        found: list[Delivery] = []
        for chunk, marks in in_lists(ids):
            rows = await self._db.fetchall(
                f"SELECT {_WITHOUT_PARTS} FROM deliveries WHERE id IN ({marks}) ORDER BY id",  # noqa: S608
                list(chunk),
            )
            found.extend(_row_to_delivery(row) for row in rows)
        return found

    async def recorded_dates(self, local_dates: Iterable[str]) -> set[tuple[int, str]]:
        """(chat, local date) pairs that already have a record, for any of `local_dates`."""
        dates = sorted(set(local_dates))
        if not dates:
            return set()
        marks = ",".join("?" * len(dates))
        rows = await self._db.fetchall(
            f"SELECT chat_id, local_date FROM deliveries WHERE local_date IN ({marks})",  # noqa: S608
            dates,
        )
        return {(row[0], row[1]) for row in rows}

    async def resumable(self, now: datetime) -> list[Delivery]:
        """Pending deliveries whose retry time has come, of chats that have not blocked the bot."""
        rows = await self._db.fetchall(
            "SELECT d.* FROM deliveries d JOIN subscribers s ON s.chat_id = d.chat_id"
            " WHERE d.status = 'pending' AND NOT s.blocked"
            " AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?) ORDER BY d.id",
            (to_db_time(now),),
        )
        return [_row_to_delivery(row) for row in rows]

    async def leave_pending(self, delivery_id: int, *, error: str, retry_at: datetime) -> None:
        """Give up for this pass (the next pass after `retry_at` resumes at `parts_sent`)."""
        await self.set_status(delivery_id, "pending", error=error, next_attempt_at=retry_at)

    async def stop_blocked(self, delivery_id: int, chat_id: int, *, error: str) -> None:
        """The chat blocked the bot: the delivery stops and the subscriber is marked blocked."""
        now = to_db_time(self._clock.now())
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET status = 'blocked', last_error = ?, updated_at = ?"
                " WHERE id = ?",
                (error, now, delivery_id),
            )
            await conn.execute(
                "UPDATE subscribers SET blocked = TRUE, updated_at = ? WHERE chat_id = ?",
                (now, chat_id),
            )
