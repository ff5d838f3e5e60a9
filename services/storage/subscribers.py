"""Subscribers: one row per chat that talks to the bot, with its digest settings."""

from __future__ import annotations

from typing import Any

from services.clock.clocks import Clock
from services.storage.convert import from_db_time, required_time, to_db_time
from services.storage.models import Language, Subscriber
from services.storage.store import Row, Store

_FLAGS = frozenset({"paused", "blocked"})  # booleans in PostgreSQL, 0/1 in SQLite
_SETTABLE = frozenset({"language", "timezone", "digest_time", "digest_length", "paused", "blocked"})


def _row_to_subscriber(row: Row) -> Subscriber:
    return Subscriber(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        language=row["language"],
        timezone=row["timezone"],
        digest_time=row["digest_time"],
        digest_length=row["digest_length"],
        paused=bool(row["paused"]),
        blocked=bool(row["blocked"]),
        last_digest_at=from_db_time(row["last_digest_at"]),
        created_at=required_time(row["created_at"]),
        updated_at=required_time(row["updated_at"]),
    )


class SubscriberRepository:
    def __init__(self, db: Store, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def register(
        self,
        chat_id: int,
        *,
        chat_type: str,
        language: Language,
        timezone: str,
        digest_time: str,
    ) -> tuple[Subscriber, bool]:
        """Create the subscriber if new; an existing one keeps its settings (and is unblocked).

        Returns the subscriber and whether it was created now.
        """
        now = to_db_time(self._clock.now())
        # Lone statements rather than one transaction: each is atomic, and the update
        # only unblocks a row the insert found, so nothing is lost between them, while a
        # first contact (the common case) is one write that hands back the new row.
        created_rows = await self._db.execute_returning(
            "INSERT INTO subscribers (chat_id, chat_type, language, timezone, digest_time,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (chat_id) DO NOTHING RETURNING *",
            (chat_id, chat_type, language, timezone, digest_time, now, now),
        )
        if created_rows:
            return _row_to_subscriber(created_rows[0]), True
        await self._db.execute(
            "UPDATE subscribers SET blocked = FALSE, updated_at = ? WHERE chat_id = ? AND blocked",
            (now, chat_id),
        )
        subscriber = await self.get(chat_id)
        assert subscriber is not None
        return subscriber, False

    async def get(self, chat_id: int) -> Subscriber | None:
        row = await self._db.fetchone("SELECT * FROM subscribers WHERE chat_id = ?", (chat_id,))
        return _row_to_subscriber(row) if row else None

    async def update(self, chat_id: int, **changes: Any) -> Subscriber | None:
        """Change settings (language, timezone, digest_time, digest_length, paused, blocked)."""
        unknown = set(changes) - _SETTABLE
        if unknown:
            raise ValueError(f"not a subscriber setting: {sorted(unknown)}")
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            values = [bool(v) if k in _FLAGS else v for k, v in changes.items()]
            params = [*values, to_db_time(self._clock.now()), chat_id]
            await self._db.execute(
                f"UPDATE subscribers SET {assignments}, updated_at = ? WHERE chat_id = ?",  # noqa: S608
                params,
            )
        return await self.get(chat_id)

    async def list_active(self) -> list[Subscriber]:
        """Subscribers that are neither paused nor blocked."""
        rows = await self._db.fetchall(
            "SELECT * FROM subscribers WHERE NOT paused AND NOT blocked ORDER BY chat_id"
        )
        return [_row_to_subscriber(row) for row in rows]

    async def counts(self) -> dict[str, int]:
        """How many subscribers are active, paused and blocked."""
        row = await self._db.fetchone(
            "SELECT COALESCE(SUM(CASE WHEN NOT paused AND NOT blocked THEN 1 ELSE 0 END), 0)"
            " AS active, COALESCE(SUM(CASE WHEN paused AND NOT blocked THEN 1 ELSE 0 END), 0)"
            " AS paused, COALESCE(SUM(CASE WHEN blocked THEN 1 ELSE 0 END), 0) AS blocked"
            " FROM subscribers"
        )
        assert row is not None
        return {name: int(row[name]) for name in ("active", "paused", "blocked")}
