"""A chat's own sources: the chat ↔ source links and who may see which articles.

A URL is one row in `sources` however many chats add it, so ingestion fetches it once
per pass. `sources.shared` marks the operator's sources (everyone reads them); the
articles of a source that is not shared reach only the chats linked to it here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.clock.clocks import Clock
from services.storage.convert import from_db_time, required_time, to_db_time
from services.storage.in_lists import in_lists
from services.storage.models import Source
from services.storage.sources import _row_to_source
from services.storage.store import Row, Store


@dataclass(frozen=True, slots=True)
class OwnSource:
    """One chat's link to a source, with the source as ingestion left it."""

    chat_id: int
    source: Source
    shared: bool  # the operator lists it too
    added_at: datetime
    down_told_at: datetime | None
    paused_told_at: datetime | None


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which articles one chat may be shown: every article except those of sources that
    are not shared and that the chat has not added (`hidden`)."""

    hidden: frozenset[int]  # article ids

    def allows(self, article_id: int) -> bool:
        return article_id not in self.hidden


def _row_to_own(row: Row) -> OwnSource:
    return OwnSource(
        chat_id=row["chat_id"],
        source=_row_to_source(row),
        shared=bool(row["shared"]),
        added_at=required_time(row["added_at"]),
        down_told_at=from_db_time(row["down_told_at"]),
        paused_told_at=from_db_time(row["paused_told_at"]),
    )


_OWN = (
    "SELECT s.*, c.chat_id, c.added_at, c.down_told_at, c.paused_told_at"
    " FROM chat_sources c JOIN sources s ON s.id = c.source_id"
)


class OwnSourceRepository:
    def __init__(self, db: Store, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def add(
        self, chat_id: int, url: str, *, name: str, language: str | None, kind: str = "feed"
    ) -> tuple[OwnSource, bool]:
        """Link the chat to the source at `url`, creating it (not shared) when it is new.

        Returns the link and whether it is new for this chat. A source that was paused or
        left by everyone is switched on again and fetched at the next pass.
        """
        now = to_db_time(self._clock.now())
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO sources (url, name, language, kind, shared, created_at)"
                " VALUES (?, ?, ?, ?, FALSE, ?) ON CONFLICT (url) DO UPDATE SET"
                " enabled = TRUE, next_fetch_at = NULL",
                (url, name, language, kind, now),
            )
            cursor = await conn.execute(
                "SELECT c.chat_id FROM chat_sources c JOIN sources s ON s.id = c.source_id"
                " WHERE c.chat_id = ? AND s.url = ?",
                (chat_id, url),
            )
            existed = await cursor.fetchone() is not None
            await conn.execute(
                "INSERT INTO chat_sources (chat_id, source_id, added_at)"
                " SELECT ?, id, ? FROM sources WHERE url = ?"
                " ON CONFLICT (chat_id, source_id) DO UPDATE SET paused_told_at = NULL",
                (chat_id, now, url),
            )
        found = await self._db.fetchone(f"{_OWN} WHERE c.chat_id = ? AND s.url = ?", (chat_id, url))
        assert found is not None
        return _row_to_own(found), not existed

    async def of_chat(self, chat_id: int) -> list[OwnSource]:
        rows = await self._db.fetchall(
            f"{_OWN} WHERE c.chat_id = ? ORDER BY c.added_at, s.id", (chat_id,)
        )
        return [_row_to_own(row) for row in rows]

    async def count(self, chat_id: int) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM chat_sources WHERE chat_id = ?", (chat_id,)
        )
        return int(row[0]) if row else 0

    async def get(self, chat_id: int, source_id: int) -> OwnSource | None:
        row = await self._db.fetchone(
            f"{_OWN} WHERE c.chat_id = ? AND c.source_id = ?", (chat_id, source_id)
        )
        return _row_to_own(row) if row else None

    async def remove(self, chat_id: int, source_id: int) -> bool:
        """Unlink; a source nobody follows any more and the operator does not list is switched
        off (kept, so its stored articles stay hidden rather than becoming everyone's)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM chat_sources WHERE chat_id = ? AND source_id = ?",
                (chat_id, source_id),
            )
            if cursor.rowcount == 0:
                return False
            await conn.execute(
                "UPDATE sources SET enabled = FALSE WHERE id = ? AND NOT shared AND NOT EXISTS"
                " (SELECT 1 FROM chat_sources WHERE source_id = ?)",
                (source_id, source_id),
            )
        return True

    async def followers(self) -> list[OwnSource]:
        """Every link, for the health notices after an ingest pass."""
        rows = await self._db.fetchall(f"{_OWN} ORDER BY s.id, c.chat_id")
        return [_row_to_own(row) for row in rows]

    async def has_followers(self, source_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM chat_sources WHERE source_id = ? LIMIT 1", (source_id,)
        )
        return row is not None

    async def shared_source(self, url: str) -> Source | None:
        """The operator's source at exactly this URL, if there is one."""
        row = await self._db.fetchone("SELECT * FROM sources WHERE url = ? AND shared", (url,))
        return _row_to_source(row) if row else None

    async def private_source_ids(self) -> set[int]:
        """Sources only chats follow: not the admins' to list or hear about."""
        rows = await self._db.fetchall("SELECT id FROM sources WHERE NOT shared")
        return {int(row[0]) for row in rows}

    # -- the operator's side ---------------------------------------------------------------

    async def set_shared(self, source_id: int, shared: bool) -> None:
        await self._db.execute("UPDATE sources SET shared = ? WHERE id = ?", (shared, source_id))

    async def share_urls(self, urls: Collection[str]) -> None:
        """Mark the operator's listed sources as shared (SOURCES_FILE at start)."""
        async with self._db.transaction() as conn:
            for url in urls:
                await conn.execute("UPDATE sources SET shared = TRUE WHERE url = ?", (url,))

    async def is_shared(self, source_id: int) -> bool:
        row = await self._db.fetchone("SELECT shared FROM sources WHERE id = ?", (source_id,))
        return bool(row[0]) if row else False

    async def pause(self, source_id: int) -> None:
        """Stop fetching a source of chats only (never one the operator lists)."""
        await self._db.execute(
            "UPDATE sources SET enabled = FALSE WHERE id = ? AND NOT shared", (source_id,)
        )

    async def set_down_told(self, chat_id: int, source_id: int, moment: datetime | None) -> None:
        """Remember when the chat was told the source is down (None: told it is back)."""
        await self._db.execute(
            "UPDATE chat_sources SET down_told_at = ? WHERE chat_id = ? AND source_id = ?",
            (to_db_time(moment), chat_id, source_id),
        )

    async def set_paused_told(self, chat_id: int, source_id: int, moment: datetime) -> None:
        await self._db.execute(
            "UPDATE chat_sources SET paused_told_at = ? WHERE chat_id = ? AND source_id = ?",
            (to_db_time(moment), chat_id, source_id),
        )

    # -- who sees what ---------------------------------------------------------------------

    async def private_articles(self, article_ids: Sequence[int]) -> dict[int, int]:
        """Of these articles, those from sources that are not shared: article id → source id."""
        found: dict[int, int] = {}
        ids = list(dict.fromkeys(article_ids))
        for chunk, marks in in_lists(ids):
            rows = await self._db.fetchall(
                "SELECT a.id, a.source_id FROM articles a JOIN sources s ON s.id = a.source_id"
                f" WHERE NOT s.shared AND a.id IN ({marks})",  # noqa: S608
                chunk,
            )
            found.update((int(row[0]), int(row[1])) for row in rows)
        return found

    async def source_ids_of(self, chat_ids: Collection[int]) -> dict[int, frozenset[int]]:
        """Each chat's own source ids (chats without any are left out)."""
        found: dict[int, set[int]] = {}
        ids = list(chat_ids)
        for chunk, marks in in_lists(ids):
            rows = await self._db.fetchall(
                f"SELECT chat_id, source_id FROM chat_sources WHERE chat_id IN ({marks})",  # noqa: S608
                chunk,
            )
            for row in rows:
                found.setdefault(int(row[0]), set()).add(int(row[1]))
        return {chat: frozenset(sources) for chat, sources in found.items()}

    async def visibility(self, chat_id: int | None, article_ids: Sequence[int]) -> Visibility:
        """What `chat_id` (None: nobody in particular, e.g. the CLI) may see of these."""
        private = await self.private_articles(article_ids)
        own = (
            (await self.source_ids_of([chat_id])).get(chat_id, frozenset())
            if chat_id
            else frozenset()
        )
        return Visibility(frozenset(a for a, s in private.items() if s not in own))


def visibility_for(private: dict[int, int], own: frozenset[int]) -> Visibility:
    """A chat's visibility from a pass's private articles and the chat's own source ids."""
    if not private:
        return Visibility(frozenset())
    return Visibility(frozenset(a for a, s in private.items() if s not in own))
