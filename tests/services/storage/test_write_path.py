"""People's commands next to a pass's writes: reads never wait for a write transaction,
and copying the write-ahead log into the SQLite file happens off the writers' path."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.clock.clocks import ManualClock
from services.storage import Database, SourceRepository
from services.storage import database as sqlite_database
from services.storage.store import Store


async def test_a_reply_is_read_while_a_pass_holds_its_write_transaction_open(
    db: Store, clock: ManualClock
) -> None:
    sources = SourceRepository(db, clock)
    await sources.upsert("https://a.example/rss", name="A")
    holding, release = asyncio.Event(), asyncio.Event()

    async def pass_writes() -> None:
        async with db.transaction():
            await sources.upsert("https://b.example/rss", name="B")
            holding.set()
            await release.wait()

    writer = asyncio.create_task(pass_writes())
    await holding.wait()
    try:
        seen = await asyncio.wait_for(sources.list_enabled(), timeout=5)
    finally:
        release.set()
        await writer

    assert [source.name for source in seen] == ["A"]  # what is committed, without waiting
    assert len(await sources.list_enabled()) == 2


def rows_in_file(path: Path, table: str) -> int:
    """Rows of `table` in the database file alone, as if its write-ahead log were gone."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608
    finally:
        conn.close()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "newsdigest.db")
    await database.checkpoint()  # the schema into the file
    try:
        yield database
    finally:
        await database.close()


async def test_a_commit_leaves_the_copy_into_the_file_to_a_checkpoint(
    sqlite_db: Database,
) -> None:
    await sqlite_db.execute("CREATE TABLE scratch (body TEXT)")
    await sqlite_db.checkpoint()
    async with sqlite_db.transaction() as conn:  # about 2,000 pages, twice SQLite's default
        await conn.executemany("INSERT INTO scratch VALUES (?)", [("x" * 4000,)] * 2000)

    assert rows_in_file(sqlite_db.path, "scratch") == 0  # the COMMIT copied nothing
    await sqlite_db.checkpoint()
    assert rows_in_file(sqlite_db.path, "scratch") == 2000


async def test_every_so_many_writes_a_checkpoint_runs_in_the_background(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_database, "CHECKPOINT_EVERY", 5)
    await sqlite_db.execute("CREATE TABLE scratch (n INTEGER)")
    await sqlite_db.checkpoint()
    for n in range(5):
        await sqlite_db.execute("INSERT INTO scratch VALUES (?)", (n,))

    for _ in range(100):  # the fifth write started it; nobody awaits it
        if rows_in_file(sqlite_db.path, "scratch") == 5:
            break
        await asyncio.sleep(0.05)
    assert rows_in_file(sqlite_db.path, "scratch") == 5
