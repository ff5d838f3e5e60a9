"""PostgreSQL over asyncpg: the same repositories, the same migrations by number.

A pool of connections: lone statements and reads take any; `transaction()` holds one
for its length, and statements inside it (nested calls too) run on that one. Unlike
SQLite there is no process-wide write lock: PostgreSQL locks rows, so people's small
writes never queue behind an ingest pass, and several processes share the database.

Migrations: the numbers in services/storage/migrations/ apply in order, each in its own
transaction, recorded in `schema_migrations`. A number resolves to
`NNNN_name.postgresql.sql` when that variant exists, else to the shared `NNNN_name.sql`.
Replicas starting together take turns through an advisory lock, so each migration runs once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg import Record

from services.storage.database import StorageError, migrations
from services.storage.dialect import POSTGRESQL, Dialect, numbered
from services.storage.store import Params

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 10.0
MIGRATION_LOCK = 0x6E657773  # advisory lock key held while migrating ("news")
_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW)\b|\bRETURNING\b", re.IGNORECASE)
_COUNT = re.compile(r"(\d+)\s*$")
_KEEPALIVES = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}{port}", parts.path, parts.query, ""))


def _args(sql: str, params: Params) -> tuple[str, list[Any]]:
    statement, names = numbered(sql)
    if names is not None:
        if not isinstance(params, dict):
            raise TypeError("named placeholders need a dict of parameters")
        return statement, [params[name] for name in names]
    if isinstance(params, dict):
        raise TypeError("a dict of parameters needs :name placeholders")
    return statement, list(params)


class _Cursor:
    """The answer of one statement: its rows, and how many rows it touched."""

    def __init__(self, rows: Sequence[Record], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    async def fetchone(self) -> Record | None:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> Sequence[Record]:
        return self._rows


class _Connection:
    """An asyncpg connection that takes the repositories' `?` SQL."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def execute(self, sql: str, parameters: Params = (), /) -> _Cursor:
        statement, args = _args(sql, parameters)
        if _RETURNS_ROWS.search(statement):
            rows = await self._conn.fetch(statement, *args)
            return _Cursor(rows, len(rows))
        status = await self._conn.execute(statement, *args)
        found = _COUNT.search(status or "")
        return _Cursor((), int(found.group(1)) if found else 0)

    async def executemany(self, sql: str, parameters: Iterable[Any], /) -> None:
        statement, _ = numbered(sql)
        await self._conn.executemany(statement, [tuple(args) for args in parameters])


class PostgresDatabase:
    """An open PostgreSQL database with its schema up to date."""

    dialect: Dialect = POSTGRESQL

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self._dsn = url
        self._url = redacted(url)
        self._current: contextvars.ContextVar[_Connection | None] = contextvars.ContextVar(
            "newsdigest_pg_transaction", default=None
        )

    @property
    def url(self) -> str:
        return self._url

    @property
    def pool(self) -> asyncpg.Pool:
        """The connection pool, for the replica roles' advisory locks."""
        return self._pool

    async def dedicated_connection(self) -> asyncpg.Connection:
        """A connection of its own, outside the pool, for a lock held as long as it lives.

        TCP keepalives make the server notice within some seconds when the host holding
        it vanishes, and release what the connection held.
        """
        return await asyncpg.connect(
            dsn=self._dsn,
            timeout=CONNECT_TIMEOUT_SECONDS,
            server_settings=_KEEPALIVES,
        )

    @classmethod
    async def open(cls, url: str, *, max_connections: int = 10) -> PostgresDatabase:
        """Connect to and migrate the database at `url`; StorageError names DATABASE_URL."""
        shown = redacted(url)
        try:
            pool = await asyncpg.create_pool(
                dsn=url,
                min_size=1,
                max_size=max_connections,
                timeout=CONNECT_TIMEOUT_SECONDS,
            )
        except (TimeoutError, OSError, asyncpg.PostgresError, ValueError) as exc:
            reason = str(exc).replace(url, shown) or type(exc).__name__
            raise StorageError(f"DATABASE_URL {shown}: cannot connect: {reason}") from exc
        db = cls(pool, url)
        try:
            await db.migrate()
        except (OSError, asyncpg.PostgresError) as exc:
            await pool.close()
            raise StorageError(f"DATABASE_URL {shown}: cannot prepare the schema: {exc}") from exc
        return db

    async def migrate(self) -> int:
        """Apply every migration newer than the recorded version; return the new version."""
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations"
                    " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                version = int(
                    await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                )
                for number, name, sql in migrations(self.dialect.name):
                    if number <= version:
                        continue
                    log.info("applying migration %s", name)
                    async with conn.transaction():
                        await conn.execute(sql)
                        await conn.execute(
                            "INSERT INTO schema_migrations (version, name, applied_at)"
                            " VALUES ($1, $2, to_char(now() AT TIME ZONE 'UTC',"
                            ' \'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\'))',
                            number,
                            name,
                        )
                    version = number
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        return version

    async def user_version(self) -> int:
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0]) if row else 0

    async def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL checkpoints by itself, off the writers' path."""

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._pool.close(), timeout=CONNECT_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("database connections did not close in time; terminated")
            self._pool.terminate()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Connection]:
        """One connection, BEGIN … COMMIT (ROLLBACK on error); nested use joins the outer one."""
        current = self._current.get()
        if current is not None:
            yield current
            return
        async with self._pool.acquire() as conn, conn.transaction():
            wrapped = _Connection(conn)
            token = self._current.set(wrapped)
            try:
                yield wrapped
            finally:
                self._current.reset(token)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[_Connection]:
        current = self._current.get()
        if current is not None:
            yield current
            return
        async with self._pool.acquire() as conn:
            yield _Connection(conn)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement; return the first column of a RETURNING row, else 0."""
        async with self._connection() as conn:
            cursor = await conn.execute(sql, params)
            row = await cursor.fetchone()
        return int(row[0]) if row is not None and isinstance(row[0], int) else 0

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        async with self._connection() as conn:
            return (await conn.execute(sql, params)).rowcount

    async def execute_returning(self, sql: str, params: Params = ()) -> list[Record]:
        async with self._connection() as conn:
            return list(await (await conn.execute(sql, params)).fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> Record | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Record]:
        statement, args = _args(sql, params)
        current = self._current.get()
        if current is not None:
            return list(await current._conn.fetch(statement, *args))
        return list(await self._pool.fetch(statement, *args))
