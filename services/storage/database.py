"""The SQLite database over aiosqlite: WAL, foreign keys, busy timeout, numbered migrations.

Writes go through one connection. `Database.transaction()` serialises them with a lock
so that concurrent tasks sharing it never interleave their statements inside one
another's transaction; a lone statement (`execute`) takes the same lock but runs in
autocommit mode, in one trip to the connection's thread. Reads outside a transaction
go through a second, query-only connection (see `Database`).

Checkpoints (copying the write-ahead log back into the database file) stay off the
writers' path. SQLite's own runs inside the COMMIT that crosses its threshold, with the
write lock held, so one person's write would wait for a whole copy and sync; here they run
in the background instead, on a short-lived connection of their own (PASSIVE: they never
block a writer or a reader), after every `CHECKPOINT_EVERY` writes and when a batch of
writes asks for one (`checkpoint()`, after an ingest pass). SQLite's own is kept only as a
far-off safety net.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from services.storage.dialect import SQLITE, Dialect

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
CHECKPOINT_EVERY = 250  # writes between background checkpoints
WAL_AUTOCHECKPOINT_PAGES = 16384  # SQLite's own, in the writer's COMMIT: a safety net only
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+(?:\.(postgresql))?\.sql$")
_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "newsdigest_in_transaction", default=False
)


class StorageError(Exception):
    """The database cannot be opened or written; the message says why in plain words."""


def migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """The packaged migrations of one store as (number, name, sql), in order.

    One sequence of numbers for every store: `NNNN_name.sql` is shared, and a variant
    `NNNN_name.postgresql.sql` takes its number's place on PostgreSQL (where the SQL must
    differ: identity columns, booleans, no FTS5). A variant needs its shared file.
    """
    shared: dict[int, tuple[str, str]] = {}
    variants: dict[int, tuple[str, str]] = {}
    numbers: list[int] = []
    for entry in resources.files("services.storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if not match:
            continue
        number = int(match.group(1))
        found = (entry.name, entry.read_text(encoding="utf-8"))
        if match.group(2) is None:
            numbers.append(number)
            shared[number] = found
        elif match.group(2) == dialect:
            variants[number] = found
    if len(set(numbers)) != len(numbers):
        raise StorageError(f"two migrations share a number: {sorted(numbers)}")
    orphans = sorted(set(variants) - set(shared))
    if orphans:
        raise StorageError(f"{dialect} migrations without a shared file: {orphans}")
    chosen = {**shared, **variants}
    return [(number, *chosen[number]) for number in sorted(chosen)]


async def _open_reader(path: Path) -> aiosqlite.Connection:
    """A connection for reads outside transactions: autocommit, so every query sees the
    latest commit; query_only, so nothing is ever written through it."""
    reader = await aiosqlite.connect(path, isolation_level=None)
    reader.row_factory = aiosqlite.Row
    await reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await reader.execute("PRAGMA foreign_keys = ON")
    await reader.execute("PRAGMA query_only = ON")
    return reader


class Database:
    """An open SQLite database with its schema up to date.

    Two connections, each with its own thread: one writes (and reads inside a
    transaction, to see its own changes), the other reads. In WAL mode readers never
    block the writer, so a burst of heavy reads (searches over hundreds of articles)
    does not queue in front of people's small writes, which are serialised by the
    write lock and would otherwise each wait behind the reads.
    """

    dialect: Dialect = SQLITE

    def __init__(
        self,
        connection: aiosqlite.Connection,
        path: Path,
        reader: aiosqlite.Connection | None = None,
    ) -> None:
        self._conn = connection
        self._reader = reader or connection
        self.path = path
        self._write_lock = asyncio.Lock()
        self._writes_since_checkpoint = 0
        self._checkpoint_lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating the file and its folder) and migrate the database at `path`."""
        db_path = Path(path)
        try:
            if str(db_path) != ":memory:":
                db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(db_path, isolation_level=None)
        except (OSError, aiosqlite.Error) as exc:
            raise StorageError(f"cannot open database {db_path}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        db = cls(conn, db_path)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await db.migrate()
            if str(db_path) != ":memory:":  # a second in-memory connection is another database
                db._reader = await _open_reader(db_path)
        except aiosqlite.Error as exc:
            await conn.close()
            raise StorageError(f"cannot prepare database {db_path}: {exc}") from exc
        return db

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    async def migrate(self) -> int:
        """Apply every migration newer than `PRAGMA user_version`; return the new version."""
        version = await self.user_version()
        for number, name, sql in migrations():
            if number <= version:
                continue
            log.info("applying migration %s", name)
            async with self.transaction() as conn:
                for statement in _split_sql(sql):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {number}")
            version = number
        return version

    async def user_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file, on a connection of its own in
        a worker thread: PASSIVE, so no writer or reader waits for it. A failure is logged
        (the next checkpoint, or SQLite's own, catches up)."""
        if str(self.path) == ":memory:":
            return
        async with self._checkpoint_lock:
            self._writes_since_checkpoint = 0
            try:
                await asyncio.to_thread(_passive_checkpoint, self.path)
            except sqlite3.Error as exc:
                log.warning("WAL checkpoint failed: %s", exc)

    def _wrote(self) -> None:
        """Count a committed write; every CHECKPOINT_EVERY, checkpoint in the background."""
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint < CHECKPOINT_EVERY:
            return
        if self._background is None or self._background.done():
            self._writes_since_checkpoint = 0
            self._background = asyncio.create_task(self.checkpoint())

    async def close(self) -> None:
        """Checkpoint the WAL and close the connections."""
        if self._background is not None:
            await self._background
        if self._reader is not self._conn:
            await self._reader.close()
        try:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except aiosqlite.Error as exc:  # a full or read-only disk must not block shutdown
            log.warning("WAL checkpoint at close failed: %s", exc)
        await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error); nested use joins the outer one."""
        if _in_transaction.get():
            yield self._conn
            return
        async with self._write_lock:
            token = _in_transaction.set(True)
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    await self._conn.execute("COMMIT")
                except BaseException:
                    await self._rollback()
                    raise
            finally:
                _in_transaction.reset(token)
        self._wrote()

    async def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already done so itself.

        On SQLITE_FULL, SQLITE_IOERR and the like SQLite rolls back on its own; a second
        ROLLBACK would fail and hide the error that matters, so it is skipped then.
        """
        if not self._conn.in_transaction:
            return
        try:
            await self._conn.execute("ROLLBACK")
        except aiosqlite.Error as exc:
            log.warning("rollback failed: %s", exc)

    async def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement in its own transaction; return the last row id."""
        cursor = await self._write_one(sql, params)
        return cursor.lastrowid or 0

    async def execute_rowcount(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement in its own transaction; return how many rows it touched."""
        cursor = await self._write_one(sql, params)
        return cursor.rowcount

    async def _write_one(
        self, sql: str, params: Iterable[Any] | dict[str, Any]
    ) -> aiosqlite.Cursor:
        async with self._lone_write() as conn:
            return await conn.execute(sql, params)

    async def execute_returning(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> list[aiosqlite.Row]:
        """Run one write statement with a RETURNING clause; return the rows it gave back."""
        async with self._lone_write() as conn:
            return list(await conn.execute_fetchall(sql, params))

    @asynccontextmanager
    async def _lone_write(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writing connection for one statement in autocommit mode, which SQLite
        makes atomic by itself.

        One trip to the connection's thread instead of three (BEGIN, the statement,
        COMMIT), so writers hold the lock a third as long. The lock is still taken: on
        the shared connection the statement must not land inside another task's open
        transaction. Inside `transaction()` it joins that one, as before.
        """
        if _in_transaction.get():
            yield self._conn
            return
        async with self._write_lock:
            yield self._conn
        self._wrote()

    async def fetchone(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> aiosqlite.Row | None:
        """The first row of a query that yields at most one (by key, an aggregate, LIMIT 1)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(
        self, sql: str, params: Iterable[Any] | dict[str, Any] = ()
    ) -> list[aiosqlite.Row]:
        """Every row, in one trip to the connection's thread (a cursor would take three:
        execute, fetch, close; each trip is a thread hand-off that costs more than a
        lookup by key)."""
        connection = self._conn if _in_transaction.get() else self._reader
        return list(await connection.execute_fetchall(sql, params))

    async def integrity_check(self) -> str:
        row = await self.fetchone("PRAGMA integrity_check")
        return str(row[0]) if row else "no answer"


def _passive_checkpoint(path: Path) -> None:
    """One PASSIVE checkpoint of the database at `path`, on a connection opened for it."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    finally:
        conn.close()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements at the semicolons SQLite itself would end them at.

    `sqlite3.complete_statement` knows string literals, comments and trigger bodies
    (BEGIN … END), so a `;` inside any of them does not cut a statement in two.
    """
    statements: list[str] = []
    start = 0
    for end, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            statements.append(script[start : end + 1].strip())
            start = end + 1
    rest = script[start:]
    if _has_sql(rest):
        statements.append(rest.strip())
    return [statement for statement in statements if _has_sql(statement)]


def _has_sql(text: str) -> bool:
    """Whether text holds more than whitespace and `--` comments."""
    return any(line.strip() and not line.strip().startswith("--") for line in text.splitlines())
