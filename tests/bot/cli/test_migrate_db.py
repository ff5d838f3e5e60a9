"""`migrate-db --to postgresql://…`: the SQLite database copied whole into PostgreSQL."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.cli import build_parser
from bot.config import Settings
from services.clock.clocks import ManualClock
from services.storage import (
    ArticleRepository,
    Database,
    DeliveryRepository,
    PostgresDatabase,
    SourceRepository,
    SubscriberRepository,
    SubscriptionRepository,
    TopicRepository,
)
from services.storage.deliveries import NewDelivery
from services.storage.models import NewArticle
from services.storage.stories import StoryRepository
from services.topics.index import TopicIndex
from tests.conftest import START
from tests.postgres_server import PostgresServer

MakeSettings = Callable[..., Settings]


async def run(settings: Settings, *argv: str) -> int:
    args: argparse.Namespace = build_parser().parse_args(list(argv))
    return int(await args.handler(args, settings))


async def fill(settings: Settings) -> None:
    """A small but complete SQLite database: every table holds rows."""
    clock = ManualClock(START)
    db = await Database.open(settings.database_path)
    try:
        source = await SourceRepository(db, clock).upsert("https://a.example/rss", name="A")
        await db.execute("UPDATE sources SET enabled = FALSE WHERE id = ?", (source.id,))
        articles = ArticleRepository(db, clock)
        subscriptions = SubscriptionRepository(db, clock)
        index = TopicIndex(db, articles, subscriptions)
        stories = StoryRepository(db)
        for number, title in enumerate(("Казахстан и Россия подписали договор", "Погода в Астане")):
            article_id = await articles.add(
                NewArticle(
                    source_id=source.id,
                    url=f"https://a.example/{number}",
                    canonical_url=f"https://a.example/{number}",
                    content_hash=f"hash{number}",
                    language="ru",
                    title=title,
                    author=None,
                    text=f"{title}. Подробности позже.",
                    summary=[title],
                    lemmas=None,
                    published_at=START - timedelta(hours=number),
                )
            )
            assert article_id is not None
            stored = await articles.get(article_id)
            assert stored is not None
            await index.index_article(stored)
            await stories.join(article_id, None, at=START, terms=["казахстан"])
        subscribers = SubscriberRepository(db, clock)
        await subscribers.register(
            -1001234567890, chat_type="supergroup", language="ru", timezone="UTC",
            digest_time="09:00",
        )  # fmt: skip
        await subscribers.update(-1001234567890, paused=True)
        topic = await TopicRepository(db, clock).add_personal(-1001234567890, "Казахстан", "KZ")
        await subscriptions.subscribe(-1001234567890, topic.id)
        await DeliveryRepository(db, clock).create_many(
            [NewDelivery(-1001234567890, "2026-03-20", ["<b>digest</b>"], START, START, (1,))]
        )
    finally:
        await db.close()


async def test_every_row_is_copied_and_the_counts_of_both_are_printed(
    make_settings: MakeSettings,
    postgres_server: PostgresServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings()
    await fill(settings)
    target = await postgres_server.empty_database()

    assert await run(settings, "migrate-db", "--to", target) == 0

    lines = capsys.readouterr().out.splitlines()
    counts = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    assert counts["articles"] == ["2", "2"]
    assert counts["articles_fts"] == ["2", "2"]
    assert counts["subscribers"] == ["1", "1"]
    assert counts["deliveries"] == ["1", "1"]
    assert all(sqlite == postgresql for sqlite, postgresql in counts.values())
    db = await PostgresDatabase.open(target)
    try:
        clock = ManualClock(START)
        subscriber = await SubscriberRepository(db, clock).get(-1001234567890)
        assert subscriber is not None and subscriber.paused and not subscriber.blocked
        source = await SourceRepository(db, clock).by_url("https://a.example/rss")
        assert source is not None and not source.enabled
        index = TopicIndex(db, ArticleRepository(db, clock), SubscriptionRepository(db, clock))
        hits = await index.search("Казахстана", since=START - timedelta(days=1))
        assert len(hits) == 1
        # identities go on after the copied rows
        new = await SourceRepository(db, clock).upsert("https://b.example/rss", name="B")
        assert new.id == source.id + 1
    finally:
        await db.close()


async def test_a_target_with_rows_is_refused_unless_forced(
    make_settings: MakeSettings,
    postgres_server: PostgresServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from services.storage import StorageError

    settings = make_settings()
    await fill(settings)
    target = await postgres_server.empty_database()
    assert await run(settings, "migrate-db", "--to", target) == 0

    with pytest.raises(StorageError, match="not empty"):
        await run(settings, "migrate-db", "--to", target)
    assert await run(settings, "migrate-db", "--to", target, "--force") == 0

    out = capsys.readouterr().out
    assert out.count("articles ") == 2  # two copies, each with its count line


async def test_only_a_postgresql_target_is_accepted(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    await fill(settings)

    assert await run(settings, "migrate-db", "--to", "sqlite:///elsewhere.db") == 2
    assert "postgresql://" in capsys.readouterr().err
