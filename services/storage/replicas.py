"""Several processes on one database: who does the one-at-a-time jobs, and how many are alive.

`RoleLock` is a role only one process may hold at a time (polling Telegram, an ingest
pass). On PostgreSQL it is a session-level advisory lock held on a connection of its
own: the server drops it the moment that connection ends, however the process died
(TCP keepalives bound a vanished host to some seconds). On SQLite one process owns the
file, so the lock only keeps two tasks of that process apart.

`ReplicaRegistry` is the heartbeat: each process writes `seen_at` every few seconds, and
the processes seen lately are the live ones (they split the send budget between them).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import weakref
from datetime import timedelta
from typing import Any, Protocol

from services.clock.clocks import Clock
from services.storage.convert import to_db_time
from services.storage.store import Store

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=10)  # a replica not seen for this long is gone
FORGET_AFTER = timedelta(hours=1)  # rows of replicas gone this long are deleted


class RoleLock(Protocol):
    """A role one process at a time may hold."""

    @property
    def name(self) -> str: ...

    async def try_acquire(self) -> bool:
        """Take the role if nobody has it; True when this process holds it now."""
        ...

    async def still_held(self) -> bool:
        """Whether the role is still this process's (the lock's connection is alive)."""
        ...

    async def release(self) -> None: ...


class LocalRoleLock:
    """The role within one process: the store is not shared (SQLite). Locks of one name
    on one store share their state, as an advisory lock's holders share the server."""

    def __init__(self, name: str, holders: set[str]) -> None:
        self.name = name
        self._holders = holders  # the names held on this store
        self._held = False

    async def try_acquire(self) -> bool:
        if self._held or self.name in self._holders:
            return False
        self._holders.add(self.name)
        self._held = True
        return True

    async def still_held(self) -> bool:
        return self._held

    async def release(self) -> None:
        if self._held:
            self._holders.discard(self.name)
            self._held = False


_local_holders: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for a role name."""
    digest = hashlib.blake2b(f"newsdigest:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryRoleLock:
    """The role as a PostgreSQL session-level advisory lock on a dedicated connection."""

    def __init__(self, name: str, connect: Any) -> None:
        self.name = name
        self._connect = connect  # async () -> asyncpg.Connection
        self._key = lock_key(name)
        self._conn: Any = None

    async def try_acquire(self) -> bool:
        if self._conn is not None and not self._conn.is_closed():
            return False
        conn = await self._connect()
        try:
            taken = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key))
        except BaseException:
            await conn.close()
            raise
        if not taken:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def still_held(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            await asyncio.wait_for(self._conn.fetchval("SELECT 1"), timeout=5)
        except Exception as exc:  # the connection is gone: so is the lock
            log.warning("lost the %s role: %s", self.name, exc)
            self._conn.terminate()
            self._conn = None
            return False
        return True

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None or conn.is_closed():
            return
        try:
            await conn.execute("SELECT pg_advisory_unlock($1)", self._key)
        finally:
            await conn.close()


def role_lock(db: Store, name: str) -> RoleLock:
    """The lock for role `name` on this store."""
    connect = getattr(db, "dedicated_connection", None)
    if db.dialect.replicas and connect is not None:
        return AdvisoryRoleLock(name, connect)
    return LocalRoleLock(name, _local_holders.setdefault(db, set()))


class ReplicaRegistry:
    """The heartbeat table: this process's row, and how many processes are alive."""

    def __init__(self, db: Store, clock: Clock, *, replica_id: str) -> None:
        self._db = db
        self._clock = clock
        self.id = replica_id
        self._started = to_db_time(clock.now())

    async def beat(self) -> int:
        """Say this process is alive; return how many are (this one included)."""
        moment = self._clock.now()
        now = to_db_time(moment)
        await self._db.execute(
            "INSERT INTO replicas (id, host, started_at, seen_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            (self.id, socket.gethostname(), self._started, now),
        )
        await self._db.execute(
            "DELETE FROM replicas WHERE seen_at < ?", (to_db_time(moment - FORGET_AFTER),)
        )
        return await self.live()

    async def live(self) -> int:
        """Processes seen within STALE_AFTER; at least 1 (this one)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM replicas WHERE seen_at >= ?",
            (to_db_time(self._clock.now() - STALE_AFTER),),
        )
        return max(1, int(row[0]) if row else 1)

    async def leave(self) -> None:
        """This process stops: the others need not wait for its heartbeat to go stale."""
        await self._db.execute("DELETE FROM replicas WHERE id = ?", (self.id,))
