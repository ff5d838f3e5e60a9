"""DATABASE_URL to an open store: `sqlite:///path` or `postgresql://user:pass@host:port/db`.

`sqlite:///data/x.db` is relative to the working folder, `sqlite:////srv/x.db` absolute
(three slashes, then the path). A URL of any other kind, or a server that does not
answer, stops start-up with one line that names DATABASE_URL and never its password.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from services.storage.database import Database, StorageError
from services.storage.postgres import PostgresDatabase, redacted
from services.storage.store import Store

_SQLITE = "sqlite:///"
_POSTGRES = ("postgresql://", "postgres://")


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A checked DATABASE_URL: which store, and where."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    path: Path | None  # the SQLite file

    @property
    def shown(self) -> str:
        return redacted(self.url)


def sqlite_url(path: Path | str) -> str:
    return f"{_SQLITE}{path}"


def parse_database_url(url: str) -> DatabaseUrl:
    """The store a DATABASE_URL names; StorageError for anything else."""
    text = url.strip()
    if text.startswith(_SQLITE) and len(text) > len(_SQLITE):
        return DatabaseUrl("sqlite", text, Path(text[len(_SQLITE) :]))
    if text.startswith(_POSTGRES) and len(text.split("://", 1)[1]) > 0:
        return DatabaseUrl("postgresql", text, None)
    raise StorageError(
        f"DATABASE_URL {redacted(text)!r} is neither sqlite:///path/to/file.db"
        " nor postgresql://user:password@host:port/database"
    )


async def open_store(url: str) -> Store:
    """Open (creating a SQLite file, migrating either store) the database at `url`."""
    parsed = parse_database_url(url)
    if parsed.kind == "postgresql":
        return await PostgresDatabase.open(parsed.url)
    assert parsed.path is not None
    return await Database.open(parsed.path)


INTEGRITY_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.IntegrityError,
    asyncpg.IntegrityConstraintViolationError,
)
"""A constraint refused a write (unique, foreign key, check), in either store."""
