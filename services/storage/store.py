"""The one interface the repositories talk to, whichever store is behind it.

`Database` (SQLite, services/storage/database.py) and `PostgresDatabase`
(services/storage/postgres.py) both have this shape, so the repositories hold one SQL
and no branch on the store. Rows are read by position or by column name in both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from services.storage.dialect import Dialect

Params = Iterable[Any] | dict[str, Any]


class Row(Protocol):
    """A result row: by position, by column name, or unpacked."""

    def __getitem__(self, key: Any, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


class Cursor(Protocol):
    """What a statement run inside a transaction hands back."""

    @property
    def rowcount(self) -> int: ...
    async def fetchone(self) -> Any: ...
    async def fetchall(self) -> Iterable[Any]: ...


class Connection(Protocol):
    """The connection of an open transaction."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Awaitable[Cursor]: ...
    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Awaitable[Any]: ...


class Store(Protocol):
    """An open database with its schema up to date."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def url(self) -> str:
        """Where the store is, without any password: for logs and messages."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]: ...
    async def execute(self, sql: str, params: Params = ()) -> int: ...
    async def execute_rowcount(self, sql: str, params: Params = ()) -> int: ...
    async def execute_returning(self, sql: str, params: Params = ()) -> Sequence[Row]: ...
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...
    async def fetchall(self, sql: str, params: Params = ()) -> Sequence[Row]: ...
    async def user_version(self) -> int: ...
    async def migrate(self) -> int: ...
    async def checkpoint(self) -> None:
        """Settle a batch of writes (an ingest pass) into the store's files, off the
        writers' path; a no-op where the store does so by itself."""
        ...

    async def close(self) -> None: ...
