"""The PostgreSQL store on a real server: URLs, migrations, transactions, placeholders."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.storage import (
    Database,
    PostgresDatabase,
    StorageError,
    SubscriberRepository,
    open_store,
    parse_database_url,
)
from services.storage.database import migrations
from services.storage.dialect import numbered
from services.storage.postgres import redacted
from tests.postgres_server import PostgresServer, free_port


def test_placeholders_become_numbered_outside_quotes_comments_and_casts() -> None:
    assert numbered("SELECT ? , '?', \"a?\" -- ?\n, ?::text") == (
        "SELECT $1 , '?', \"a?\" -- ?\n, $2::text",
        None,
    )
    assert numbered("WHERE a >= :since AND b < :until AND c >= :since") == (
        "WHERE a >= $1 AND b < $2 AND c >= $1",
        ("since", "until"),
    )
    with pytest.raises(ValueError, match="mixes"):
        numbered("SELECT ?, :name")


def test_a_database_url_names_its_store() -> None:
    assert parse_database_url("sqlite:///data/x.db").path == Path("data/x.db")
    assert parse_database_url("sqlite:////srv/x.db").path == Path("/srv/x.db")
    assert parse_database_url("postgresql://u:p@h:5432/d").kind == "postgresql"
    assert parse_database_url("postgres://u@h/d").kind == "postgresql"
    for wrong in ("mysql://u:secret@h/d", "sqlite://", "data/x.db", ""):
        with pytest.raises(StorageError, match="DATABASE_URL") as raised:
            parse_database_url(wrong)
        assert "secret" not in str(raised.value)


def test_the_password_never_shows() -> None:
    assert redacted("postgresql://bot:hunter2@db:5432/news") == "postgresql://bot:***@db:5432/news"
    assert redacted("postgresql://bot@db/news") == "postgresql://bot@db/news"


async def test_an_unreachable_server_is_one_line_naming_database_url_without_password() -> None:
    url = f"postgresql://bot:hunter2@127.0.0.1:{free_port()}/news"

    with pytest.raises(StorageError) as raised:
        await open_store(url)

    message = str(raised.value)
    assert message.startswith("DATABASE_URL postgresql://bot:***@127.0.0.1:")
    assert "hunter2" not in message
    assert "\n" not in message


async def test_a_sqlite_url_opens_the_file(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'a' / 'x.db'}")
    try:
        assert isinstance(store, Database)
        assert (tmp_path / "a" / "x.db").exists()
    finally:
        await store.close()


async def test_a_fresh_database_gets_every_migration_once_even_from_replicas_starting_together(
    postgres_server: PostgresServer,
) -> None:
    url = await postgres_server.empty_database()

    replicas = await asyncio.gather(*(PostgresDatabase.open(url) for _ in range(3)))
    try:
        versions = [await replica.user_version() for replica in replicas]
        applied = await replicas[0].fetchall("SELECT version, name FROM schema_migrations")
    finally:
        for replica in replicas:
            await replica.close()

    expected = migrations("postgresql")
    assert versions == [expected[-1][0]] * 3
    assert sorted((row[0], row[1]) for row in applied) == [(n, name) for n, name, _ in expected]


async def test_a_failed_transaction_leaves_nothing_and_nested_ones_join_it(
    postgres_server: PostgresServer,
) -> None:
    db = await PostgresDatabase.open(await postgres_server.fresh_database())
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO sources (url, name, created_at) VALUES (?, ?, ?)",
                    ("https://a.example/rss", "A", "2026-03-20T06:00:00+00:00"),
                )
                async with db.transaction() as inner:
                    assert inner is conn
                    seen = await db.fetchone("SELECT COUNT(*) FROM sources")
                    assert seen is not None and seen[0] == 1  # inside: its own write
                raise RuntimeError("undo")
        row = await db.fetchone("SELECT COUNT(*) FROM sources")
        assert row is not None and row[0] == 0
    finally:
        await db.close()


async def test_chat_ids_beyond_32_bits_are_kept(postgres_server: PostgresServer) -> None:
    from services.clock.clocks import ManualClock
    from tests.conftest import START

    db = await PostgresDatabase.open(await postgres_server.fresh_database())
    try:
        subscribers = SubscriberRepository(db, ManualClock(START))
        group = -1001234567890
        await subscribers.register(
            group, chat_type="supergroup", language="ru", timezone="UTC", digest_time="09:00"
        )
        stored = await subscribers.get(group)
        assert stored is not None and stored.chat_id == group
    finally:
        await db.close()
