"""How often each subscription is delivered, and a chat's quiet hours and weekly weekday.

Frequency is a column of `subscriptions` (daily by default, as before there was a
choice); the per-chat settings live in `chat_preferences`, where a chat without a row
has the defaults, so no existing subscriber needs a row written for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from services.storage.in_lists import in_lists
from services.storage.store import Store

Frequency = Literal["realtime", "daily", "weekly"]
FREQUENCIES: tuple[Frequency, ...] = get_args(Frequency)
DEFAULT_QUIET_HOURS = "23-07"
QUIET_OFF = "off"
MONDAY = 0


@dataclass(frozen=True, slots=True)
class ChatPreferences:
    """A chat's delivery settings beyond the daily digest's time."""

    quiet_hours: str = DEFAULT_QUIET_HOURS  # local "HH-HH", or "off"
    weekday: int = MONDAY  # of the weekly digest, 0 = Monday


class FrequencyRepository:
    def __init__(self, db: Store) -> None:
        self._db = db

    async def set_frequency(self, chat_id: int, topic_id: int, frequency: Frequency) -> bool:
        """Set how often the chat gets the topic; False when the chat does not follow it."""
        changed = await self._db.execute_rowcount(
            "UPDATE subscriptions SET frequency = ? WHERE chat_id = ? AND topic_id = ?",
            (frequency, chat_id, topic_id),
        )
        return changed == 1

    async def of_chat(self, chat_id: int) -> dict[int, Frequency]:
        """Each followed topic's frequency, by topic id."""
        rows = await self._db.fetchall(
            "SELECT topic_id, frequency FROM subscriptions WHERE chat_id = ?", (chat_id,)
        )
        return {row[0]: row[1] for row in rows}

    async def not_daily(self, chat_ids: Iterable[int]) -> dict[int, dict[int, Frequency]]:
        """The realtime and weekly subscriptions of these chats: chat → topic → frequency."""
        ids = sorted(set(chat_ids))
        found: dict[int, dict[int, Frequency]] = {}
        for chunk, marks in in_lists(ids):
            rows = await self._db.fetchall(
                "SELECT chat_id, topic_id, frequency FROM subscriptions"  # noqa: S608
                f" WHERE frequency <> 'daily' AND chat_id IN ({marks})",
                chunk,
            )
            for row in rows:
                found.setdefault(row[0], {})[row[1]] = row[2]
        return found

    async def followers(self, frequency: Frequency) -> dict[int, list[int]]:
        """Active chats following a topic at `frequency`: topic id → chat ids."""
        rows = await self._db.fetchall(
            "SELECT s.topic_id, s.chat_id FROM subscriptions s"
            " JOIN subscribers c ON c.chat_id = s.chat_id"
            " WHERE s.frequency = ? AND NOT c.paused AND NOT c.blocked"
            " ORDER BY s.topic_id, s.chat_id",
            (frequency,),
        )
        found: dict[int, list[int]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(row[1])
        return found


class PreferenceRepository:
    def __init__(self, db: Store) -> None:
        self._db = db

    async def get(self, chat_id: int) -> ChatPreferences:
        return (await self.many([chat_id])).get(chat_id, ChatPreferences())

    async def many(self, chat_ids: Iterable[int]) -> dict[int, ChatPreferences]:
        """The chats that have settings of their own; the rest have `ChatPreferences()`."""
        ids = sorted(set(chat_ids))
        found: dict[int, ChatPreferences] = {}
        for chunk, marks in in_lists(ids):
            rows = await self._db.fetchall(
                "SELECT chat_id, quiet_hours, weekday FROM chat_preferences"  # noqa: S608
                f" WHERE chat_id IN ({marks})",
                chunk,
            )
            found.update((row[0], ChatPreferences(row[1], row[2])) for row in rows)
        return found

    async def set_quiet_hours(self, chat_id: int, quiet_hours: str) -> None:
        await self._db.execute(
            "INSERT INTO chat_preferences (chat_id, quiet_hours) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET quiet_hours = excluded.quiet_hours",
            (chat_id, quiet_hours),
        )

    async def set_weekday(self, chat_id: int, weekday: int) -> None:
        await self._db.execute(
            "INSERT INTO chat_preferences (chat_id, weekday) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET weekday = excluded.weekday",
            (chat_id, weekday),
        )
