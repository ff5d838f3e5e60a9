"""The SQLite connection: its pragmas, its migrations and its transactions, on real files."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import threading
from importlib import resources
from pathlib import Path

import aiosqlite
import pytest

from services.storage import Database, StorageError
from services.storage.database import BUSY_TIMEOUT_MS, _split_sql, migrations

SCHEMA_TABLES = {
    "sources",
    "stories",
    "articles",
    "articles_fts",
    "subscribers",
    "topics",
    "subscriptions",
    "deliveries",
    "delivered_stories",
}


def schema_of(path: Path) -> set[tuple[str, str]]:
    """(type, name) of every table, index and trigger, read with the plain sqlite3 module."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return {(kind, name) for kind, name in rows}


async def test_an_empty_database_gets_every_migration_and_the_whole_schema(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "fresh.db")
    try:
        version = await db.user_version()
    finally:
        await db.close()

    assert version == migrations()[-1][0]
    tables = {name for kind, name in schema_of(tmp_path / "fresh.db") if kind == "table"}
    assert tables >= SCHEMA_TABLES


async def test_reopening_an_up_to_date_database_changes_nothing_and_keeps_the_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "again.db"
    db = await Database.open(path)
    await db.execute(
        "INSERT INTO sources (url, name, created_at) VALUES ('https://a.kz/rss', 'A', '2026-01-01')"
    )
    version = await db.user_version()
    await db.close()
    schema = schema_of(path)

    db = await Database.open(path)
    try:
        assert await db.migrate() == version
        assert await db.user_version() == version
        row = await db.fetchone("SELECT name FROM sources")
    finally:
        await db.close()

    assert row is not None
    assert row["name"] == "A"
    assert schema_of(path) == schema


async def test_a_database_left_at_an_older_version_gets_only_the_newer_migrations(
    tmp_path: Path,
) -> None:
    first_number, _, first_sql = migrations()[0]
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        for statement in _split_sql(first_sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {first_number}")
    fresh = tmp_path / "fresh.db"
    await (await Database.open(fresh)).close()

    db = await Database.open(old)
    try:
        version = await db.user_version()
    finally:
        await db.close()

    assert version == migrations()[-1][0]
    assert schema_of(old) == schema_of(fresh)


def test_every_sql_file_in_the_migrations_folder_is_a_numbered_migration() -> None:
    files = sorted(
        entry.name
        for entry in resources.files("services.storage.migrations").iterdir()
        if entry.name.endswith(".sql")
    )

    shared = [name for _, name, _ in migrations()]
    on_postgresql = [name for _, name, _ in migrations("postgresql")]

    # a misnamed file would be skipped silently
    assert sorted(set(shared) | set(on_postgresql)) == files
    numbers = [number for number, _, _ in migrations()]
    assert numbers == sorted(set(numbers))
    assert [number for number, _, _ in migrations("postgresql")] == numbers


def test_a_postgresql_variant_takes_the_place_of_its_number_and_only_there() -> None:
    shared = {number: name for number, name, _ in migrations()}
    on_postgresql = {number: name for number, name, _ in migrations("postgresql")}

    assert shared[1] == "0001_initial.sql"
    assert on_postgresql[1] == "0001_initial.postgresql.sql"
    assert on_postgresql[10] == shared[10]  # no variant: the shared file on both


async def test_the_connection_uses_wal_foreign_keys_and_a_busy_timeout(db: Database) -> None:
    journal = await db.fetchone("PRAGMA journal_mode")
    foreign_keys = await db.fetchone("PRAGMA foreign_keys")
    busy = await db.fetchone("PRAGMA busy_timeout")

    assert journal is not None
    assert journal[0] == "wal"
    assert foreign_keys is not None
    assert foreign_keys[0] == 1
    assert busy is not None
    assert busy[0] == BUSY_TIMEOUT_MS >= 1000


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(aiosqlite.IntegrityError, match="FOREIGN KEY"):
        await db.execute(
            "INSERT INTO subscriptions (chat_id, topic_id, created_at) VALUES (1, 1, '2026-01-01')"
        )


async def test_the_file_and_its_missing_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there" / "news.db"

    db = await Database.open(path)
    await db.close()

    assert path.is_file()
    assert path.stat().st_size > 0


async def test_a_path_that_cannot_be_a_database_is_a_storage_error_naming_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    threads = set(threading.enumerate())

    with pytest.raises(StorageError, match="a-folder.db"):
        await Database.open(folder)

    for worker in set(threading.enumerate()) - threads:
        worker.join(timeout=5)  # aiosqlite's worker winds down on its own after a failed connect


async def test_a_file_that_is_not_sqlite_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database, just text that is long enough" * 20)

    with pytest.raises(StorageError, match="notes.db"):
        await Database.open(path)


async def test_integrity_check_is_ok_after_use_and_close_checkpoints_the_wal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "used.db"
    db = await Database.open(path)
    for n in range(50):
        await db.execute(
            "INSERT INTO sources (url, name, created_at) VALUES (?, ?, '2026-01-01')",
            (f"https://s{n}.kz/rss", f"S{n}"),
        )
    assert await db.integrity_check() == "ok"
    await db.close()

    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 50


async def test_an_error_inside_a_transaction_rolls_back_all_of_it(db: Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO sources (url, name, created_at) VALUES ('https://a.kz', 'A', 'x')"
            )
            await conn.execute(
                "INSERT INTO sources (url, name, created_at) VALUES ('https://b.kz', 'B', 'x')"
            )
            raise Boom

    row = await db.fetchone("SELECT COUNT(*) FROM sources")
    assert row is not None
    assert row[0] == 0
    assert await db.execute(
        "INSERT INTO sources (url, name, created_at) VALUES ('https://c.kz', 'C', 'x')"
    )


async def test_a_nested_transaction_joins_the_outer_one_and_fails_with_it(db: Database) -> None:
    with pytest.raises(aiosqlite.IntegrityError):
        async with db.transaction() as outer:
            await outer.execute(
                "INSERT INTO sources (url, name, created_at) VALUES ('https://a.kz', 'A', 'x')"
            )
            async with db.transaction() as inner:
                await inner.execute(
                    "INSERT INTO sources (url, name, created_at) VALUES ('https://b.kz', 'B', 'x')"
                )
            await db.execute(  # same URL again: the whole transaction goes
                "INSERT INTO sources (url, name, created_at) VALUES ('https://a.kz', 'A', 'x')"
            )

    row = await db.fetchone("SELECT COUNT(*) FROM sources")
    assert row is not None
    assert row[0] == 0


async def test_concurrent_transactions_on_one_connection_do_not_interleave(db: Database) -> None:
    async def write(n: int) -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO sources (url, name, created_at) VALUES (?, 'first', 'x')",
                (f"https://{n}.kz/a",),
            )
            await asyncio.sleep(0)  # let the other writers try to cut in
            if n % 3 == 0:
                raise ValueError(n)
            await conn.execute(
                "INSERT INTO sources (url, name, created_at) VALUES (?, 'second', 'x')",
                (f"https://{n}.kz/b",),
            )

    results = await asyncio.gather(*(write(n) for n in range(30)), return_exceptions=True)

    failed = [r for r in results if isinstance(r, ValueError)]
    rows = await db.fetchall("SELECT url FROM sources")
    hosts = {row["url"].split("/")[2] for row in rows}
    assert len(failed) == 10
    assert len(rows) == 40
    assert hosts == {f"{n}.kz" for n in range(30) if n % 3}


async def test_a_write_with_returning_hands_back_its_rows_already_committed(
    db: Database, tmp_path: Path
) -> None:
    insert = (
        "INSERT INTO sources (url, name, created_at) VALUES (?, 'A', 'x')"
        " ON CONFLICT (url) DO NOTHING RETURNING id, url"
    )

    first = await db.execute_returning(insert, ("https://a.kz",))
    again = await db.execute_returning(insert, ("https://a.kz",))

    assert [tuple(row) for row in first] == [(first[0]["id"], "https://a.kz")]
    assert again == []
    with sqlite3.connect(db.path) as other:  # another connection sees it: it is committed
        assert other.execute("SELECT COUNT(*) FROM sources").fetchone() == (1,)


async def test_a_write_with_returning_inside_a_transaction_goes_with_it(db: Database) -> None:
    with pytest.raises(ValueError):
        async with db.transaction():
            rows = await db.execute_returning(
                "INSERT INTO sources (url, name, created_at) VALUES ('https://a.kz', 'A', 'x')"
                " RETURNING id"
            )
            assert len(rows) == 1
            raise ValueError

    assert await db.fetchall("SELECT * FROM sources") == []


async def test_fetchone_gives_the_single_row_or_none(db: Database) -> None:
    await db.execute(
        "INSERT INTO sources (url, name, created_at) VALUES ('https://a.kz', 'A', 'x')"
    )

    found = await db.fetchone("SELECT name FROM sources WHERE url = ?", ("https://a.kz",))
    missing = await db.fetchone("SELECT name FROM sources WHERE url = ?", ("https://b.kz",))

    assert found is not None
    assert found["name"] == "A"
    assert missing is None


async def test_reads_outside_a_transaction_see_only_what_is_committed(db: Database) -> None:
    insert = "INSERT INTO sources (url, name, created_at) VALUES ('https://a.kz', 'A', 'x')"
    count = "SELECT COUNT(*) FROM sources"
    seen: dict[str, int] = {}

    async with db.transaction() as conn:
        await conn.execute(insert)
        row = await db.fetchone(count)  # inside: the transaction's own change
        seen["inside"] = row[0] if row else -1
        outside = contextvars.Context()  # another task, one that is not in the transaction
        other = await asyncio.create_task(db.fetchone(count), context=outside)
        seen["outside, before the commit"] = other[0] if other else -1
    row = await db.fetchone(count)
    seen["after the commit"] = row[0] if row else -1

    assert seen == {"inside": 1, "outside, before the commit": 0, "after the commit": 1}


async def test_nothing_is_written_through_the_reading_connection(db: Database) -> None:
    with pytest.raises(aiosqlite.OperationalError, match="readonly"):
        await db.fetchall(
            "INSERT INTO sources (url, name, created_at) VALUES ('https://a.kz', 'A', 'x')"
        )


def test_migrations_are_split_where_sqlite_ends_a_statement() -> None:
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE a (x TEXT DEFAULT 'a;b'); -- trailing; comment\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "  INSERT INTO a VALUES ('y;z');\n"
        "END;\n"
        "CREATE INDEX a_x ON a (x)\n"
        "-- the end\n"
    )

    statements = _split_sql(script)

    assert len(statements) == 3
    assert statements[0].endswith("CREATE TABLE a (x TEXT DEFAULT 'a;b');")
    assert "INSERT INTO a VALUES ('y;z');\nEND;" in statements[1]
    assert "CREATE INDEX a_x ON a (x)" in statements[2]
    with sqlite3.connect(":memory:") as conn:
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO a VALUES ('q')")
        assert conn.execute("SELECT COUNT(*) FROM a").fetchone()[0] == 2
