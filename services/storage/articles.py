"""Articles: the stored, cleaned news, with summary, lemmas and story membership."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.clock.clocks import Clock
from services.storage.convert import (
    from_db_time,
    from_json_list,
    required_time,
    to_db_time,
    to_json_list,
)
from services.storage.models import Article, ArticleCard, NewArticle
from services.storage.store import Row, Store

# Columns named once and read by position: a search or a digest turns hundreds of rows
# into articles, and looking each column up by name was the largest part of that.
_SELECT = (
    "SELECT a.id, a.source_id, a.url, a.canonical_url, a.content_hash, a.language, a.title,"
    " a.author, a.text, a.summary, a.lemmas, a.published_at, a.fetched_at, a.story_id,"
    " s.name FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
)


def _row_to_article(row: Row) -> Article:
    (
        article_id,
        source_id,
        url,
        canonical_url,
        content_hash,
        language,
        title,
        author,
        text,
        summary,
        lemmas,
        published_at,
        fetched_at,
        story_id,
        source_name,
    ) = tuple(row)
    return Article(
        id=article_id,
        source_id=source_id,
        url=url,
        canonical_url=canonical_url,
        content_hash=content_hash,
        language=language,
        title=title,
        author=author,
        text=text,
        summary=from_json_list(summary),
        lemmas=lemmas,
        published_at=from_db_time(published_at),
        fetched_at=required_time(fetched_at),
        story_id=story_id,
        source_name=source_name,
    )


_SELECT_CARD = (
    "SELECT a.id, a.url, a.canonical_url, a.language, a.title, a.summary, a.published_at,"
    " a.fetched_at, a.story_id, s.name, length(a.text)"
    " FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
)


def _row_to_card(row: Row) -> ArticleCard:
    (
        article_id,
        url,
        canonical_url,
        language,
        title,
        summary,
        published_at,
        fetched_at,
        story_id,
        source_name,
        text_length,
    ) = tuple(row)
    return ArticleCard(
        id=article_id,
        url=url,
        canonical_url=canonical_url,
        language=language,
        title=title,
        summary=from_json_list(summary),
        published_at=from_db_time(published_at),
        fetched_at=required_time(fetched_at),
        story_id=story_id,
        source_name=source_name,
        text_length=text_length,
    )


class ArticleRepository:
    def __init__(self, db: Store, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def add(self, article: NewArticle) -> int | None:
        """Store a new article; None when its canonical URL or text hash is already stored.

        One statement, atomic by itself: the duplicate check and the insert hold the
        writer (on SQLite, the one write lock people's commands need too) for a single
        trip to the database instead of a transaction's six.
        """
        rows = await self._db.execute_returning(
            "INSERT INTO articles (source_id, url, canonical_url, content_hash, language,"
            " title, author, text, summary, lemmas, published_at, fetched_at)"
            " SELECT CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM articles WHERE canonical_url = ?"
            " OR content_hash = ?)"
            " ON CONFLICT (canonical_url) DO NOTHING RETURNING id",
            (
                article.source_id,
                article.url,
                article.canonical_url,
                article.content_hash,
                article.language,
                article.title,
                article.author,
                article.text,
                to_json_list(article.summary),
                article.lemmas,
                to_db_time(article.published_at),
                to_db_time(self._clock.now()),
                article.canonical_url,
                article.content_hash,
            ),
        )
        return int(rows[0][0]) if rows else None

    async def checkpoint(self) -> None:
        """Settle a batch of stored articles into the store's files, off the writers' path
        (`Store.checkpoint`): ingestion asks after a pass."""
        await self._db.checkpoint()

    async def exists(
        self,
        *,
        canonical_url: str | None = None,
        url: str | None = None,
        content_hash: str | None = None,
    ) -> bool:
        """Whether an article with this canonical URL, original URL or text hash is stored."""
        row = await self._db.fetchone(
            "SELECT 1 FROM articles WHERE canonical_url = ? OR url = ? OR content_hash = ? LIMIT 1",
            (canonical_url, url, content_hash),
        )
        return row is not None

    async def get(self, article_id: int) -> Article | None:
        row = await self._db.fetchone(f"{_SELECT} WHERE a.id = ?", (article_id,))
        return _row_to_article(row) if row else None

    async def get_many(self, article_ids: Sequence[int]) -> list[Article]:
        if not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        rows = await self._db.fetchall(f"{_SELECT} WHERE a.id IN ({marks})", list(article_ids))
        return [_row_to_article(row) for row in rows]

    async def cards(self, article_ids: Sequence[int]) -> list[ArticleCard]:
        """The articles as digests show them, without their text; unknown ids are skipped."""
        if not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        rows = await self._db.fetchall(f"{_SELECT_CARD} WHERE a.id IN ({marks})", list(article_ids))
        return [_row_to_card(row) for row in rows]

    async def fetched_since(self, since: datetime) -> list[Article]:
        rows = await self._db.fetchall(
            f"{_SELECT} WHERE a.fetched_at >= ? ORDER BY a.fetched_at, a.id", (to_db_time(since),)
        )
        return [_row_to_article(row) for row in rows]

    async def set_summary(self, article_id: int, summary: list[str]) -> None:
        await self._db.execute(
            "UPDATE articles SET summary = ? WHERE id = ?", (to_json_list(summary), article_id)
        )

    async def set_lemmas(self, article_id: int, lemmas: str) -> None:
        await self._db.execute("UPDATE articles SET lemmas = ? WHERE id = ?", (lemmas, article_id))

    async def count_since(self, since: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM articles WHERE fetched_at >= ?", (to_db_time(since),)
        )
        return int(row[0]) if row else 0
