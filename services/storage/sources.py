"""News sources and their health (fetch times, failures, backoff)."""

from __future__ import annotations

from datetime import datetime

from services.clock.clocks import Clock
from services.storage.convert import from_db_time, required_time, to_db_time
from services.storage.models import Source
from services.storage.store import Row, Store


def _row_to_source(row: Row) -> Source:
    return Source(
        id=row["id"],
        url=row["url"],
        name=row["name"],
        language=row["language"],
        kind=row["kind"],
        enabled=bool(row["enabled"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_fetch_at=from_db_time(row["last_fetch_at"]),
        last_success_at=from_db_time(row["last_success_at"]),
        consecutive_failures=row["consecutive_failures"],
        last_error=row["last_error"],
        next_fetch_at=from_db_time(row["next_fetch_at"]),
        failure_alerted_at=from_db_time(row["failure_alerted_at"]),
        created_at=required_time(row["created_at"]),
    )


class SourceRepository:
    def __init__(self, db: Store, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def upsert(
        self, url: str, *, name: str, language: str | None = None, kind: str = "feed"
    ) -> Source:
        """Add a source or update its name, language and kind; never duplicates a URL."""
        await self._db.execute(
            "INSERT INTO sources (url, name, language, kind, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET name = excluded.name,"
            " language = excluded.language, kind = excluded.kind, enabled = TRUE",
            (url, name, language, kind, to_db_time(self._clock.now())),
        )
        source = await self.by_url(url)
        assert source is not None
        return source

    async def remove(self, url: str) -> bool:
        return await self._db.execute_rowcount("DELETE FROM sources WHERE url = ?", (url,)) > 0

    async def by_url(self, url: str) -> Source | None:
        row = await self._db.fetchone("SELECT * FROM sources WHERE url = ?", (url,))
        return _row_to_source(row) if row else None

    async def get(self, source_id: int) -> Source | None:
        row = await self._db.fetchone("SELECT * FROM sources WHERE id = ?", (source_id,))
        return _row_to_source(row) if row else None

    async def list_all(self) -> list[Source]:
        rows = await self._db.fetchall("SELECT * FROM sources ORDER BY id")
        return [_row_to_source(row) for row in rows]

    async def list_enabled(self) -> list[Source]:
        rows = await self._db.fetchall("SELECT * FROM sources WHERE enabled ORDER BY id")
        return [_row_to_source(row) for row in rows]

    async def record_success(
        self, source_id: int, *, etag: str | None, last_modified: str | None
    ) -> None:
        now = to_db_time(self._clock.now())
        await self._db.execute(
            "UPDATE sources SET last_fetch_at = ?, last_success_at = ?, consecutive_failures = 0,"
            " last_error = NULL, next_fetch_at = NULL, etag = COALESCE(?, etag),"
            " last_modified = COALESCE(?, last_modified) WHERE id = ?",
            (now, now, etag, last_modified, source_id),
        )

    async def record_failure(self, source_id: int, error: str, *, retry_at: datetime) -> None:
        await self._db.execute(
            "UPDATE sources SET last_fetch_at = ?, consecutive_failures = consecutive_failures + 1,"
            " last_error = ?, next_fetch_at = ? WHERE id = ?",
            (to_db_time(self._clock.now()), error[:500], to_db_time(retry_at), source_id),
        )

    async def set_failure_alerted(self, source_id: int, moment: datetime | None) -> None:
        await self._db.execute(
            "UPDATE sources SET failure_alerted_at = ? WHERE id = ?",
            (to_db_time(moment), source_id),
        )
