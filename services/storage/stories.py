"""Stories: the same event told by several outlets, and the fingerprints they were matched by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.storage.convert import required_time, to_db_time
from services.storage.in_lists import in_lists
from services.storage.store import Store


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What an article was clustered by: its story, its time and its weighted terms."""

    seq: int  # grows with every fingerprint written
    article_id: int
    story_id: int
    at: datetime
    terms: tuple[str, ...]


class StoryRepository:
    def __init__(self, db: Store) -> None:
        self._db = db

    async def join(
        self, article_id: int, story_id: int | None, *, at: datetime, terms: Sequence[str]
    ) -> int:
        """Put the article into `story_id` (a new story when None); returns the story id.

        One transaction sets the article's story, the story's counters and the
        fingerprint. An article that already has a fingerprint keeps its story.
        """
        seen = to_db_time(at)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT story_id FROM story_fingerprints WHERE article_id = ?", (article_id,)
            )
            existing = await cursor.fetchone()
            if existing is not None:
                return int(existing[0])
            if story_id is None:
                cursor = await conn.execute(
                    "INSERT INTO stories (first_seen_at, last_seen_at, article_count)"
                    " VALUES (?, ?, 1) RETURNING id",
                    (seen, seen),
                )
                created = await cursor.fetchone()
                assert created is not None
                story_id = int(created[0])
            else:
                await conn.execute(
                    "UPDATE stories SET article_count = article_count + 1,"
                    " first_seen_at = CASE WHEN first_seen_at <= ? THEN first_seen_at ELSE ? END,"
                    " last_seen_at = CASE WHEN last_seen_at >= ? THEN last_seen_at ELSE ? END"
                    " WHERE id = ?",
                    (seen, seen, seen, seen, story_id),
                )
            await conn.execute(
                "UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id)
            )
            await conn.execute(
                "INSERT INTO story_fingerprints (article_id, story_id, at, terms)"
                " VALUES (?, ?, ?, ?)",
                (article_id, story_id, seen, " ".join(terms)),
            )
        return story_id

    async def fingerprints(self, *, since: datetime, after_seq: int = 0) -> list[Fingerprint]:
        """Fingerprints of articles timed at or after `since`, written after `after_seq`."""
        rows = await self._db.fetchall(
            "SELECT id, article_id, story_id, at, terms FROM story_fingerprints"
            " WHERE id > ? AND at >= ? ORDER BY id",
            (after_seq, to_db_time(since)),
        )
        return [
            Fingerprint(
                seq=row[0],
                article_id=row[1],
                story_id=row[2],
                at=required_time(row[3]),
                terms=tuple(row[4].split()),
            )
            for row in rows
        ]

    async def all_unclustered(self) -> list[int]:
        """Every stored article that belongs to no story yet, oldest id first."""
        rows = await self._db.fetchall("SELECT id FROM articles WHERE story_id IS NULL ORDER BY id")
        return [row[0] for row in rows]

    async def unclustered(self, article_ids: Sequence[int]) -> list[int]:
        """Those of `article_ids` that belong to no story yet."""
        missing: list[int] = []
        for chunk, marks in in_lists(article_ids):
            rows = await self._db.fetchall(
                f"SELECT id FROM articles WHERE id IN ({marks}) AND story_id IS NULL",  # noqa: S608
                chunk,
            )
            missing.extend(row[0] for row in rows)
        return missing

    async def members(self, story_ids: Sequence[int]) -> dict[int, list[int]]:
        """The article ids of each story, oldest first."""
        found: dict[int, list[int]] = {story: [] for story in story_ids}
        ids = list(found)
        for chunk, marks in in_lists(ids):
            rows = await self._db.fetchall(
                f"SELECT id, story_id FROM articles WHERE story_id IN ({marks})"  # noqa: S608
                " ORDER BY COALESCE(published_at, fetched_at), id",
                chunk,
            )
            for row in rows:
                found[row[1]].append(row[0])
        return found
