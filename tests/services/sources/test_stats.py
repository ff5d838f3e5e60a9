"""services/sources/stats.py: the /stats numbers, counted from a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.clock.clocks import ManualClock
from services.sources.health import SourceState
from services.sources.stats import AdminStatsService
from services.storage import (
    ArticleRepository,
    Database,
    DeliveryRepository,
    SourceRepository,
    SubscriberRepository,
    TopicRepository,
)
from services.storage.deliveries import NewDelivery
from services.storage.models import NewArticle

# 03:00 UTC is 08:00 in Almaty (UTC+5): the local day began at 19:00 UTC yesterday.
NOW = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)
LOCAL_MIDNIGHT = datetime(2026, 3, 19, 19, 0, tzinfo=UTC)


class World:
    def __init__(self, db: Database, clock: ManualClock) -> None:
        self.clock = clock
        self.subscribers = SubscriberRepository(db, clock)
        self.topics = TopicRepository(db, clock)
        self.sources = SourceRepository(db, clock)
        self.articles = ArticleRepository(db, clock)
        self.deliveries = DeliveryRepository(db, clock)
        self.stats = AdminStatsService(
            clock=clock,
            timezone="Asia/Almaty",
            subscribers=self.subscribers,
            topics=self.topics,
            sources=self.sources,
            articles=self.articles,
            deliveries=self.deliveries,
        )

    async def article_at(self, moment: datetime, n: int) -> None:
        self.clock.set(moment)
        await self.articles.add(
            NewArticle(
                url=f"https://example.kz/{n}",
                canonical_url=f"https://example.kz/{n}",
                content_hash=f"hash-{n}",
                language="ru",
                title=f"Новость {n}",
                text="Текст.",
            )
        )

    async def subscriber(self, chat_id: int, **settings: object) -> None:
        await self.subscribers.register(
            chat_id, chat_type="private", language="ru", timezone="Asia/Almaty", digest_time="09:00"
        )
        if settings:
            await self.subscribers.update(chat_id, **settings)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "stats.db")
    yield World(db, ManualClock(NOW))
    await db.close()


async def test_an_empty_database_gives_zeros_and_no_ingest_yet(world: World) -> None:
    stats = await world.stats.collect()
    assert stats.subscribers_active == stats.topics == stats.articles_today == 0
    assert stats.sources_healthy == stats.sources_failing == 0
    assert stats.last_ingest_at is None
    assert stats.last_success_at is None
    assert stats.digests_sent_today == 0


async def test_subscribers_are_counted_as_active_paused_and_blocked(world: World) -> None:
    await world.subscriber(1)
    await world.subscriber(2)
    await world.subscriber(3, paused=True)
    await world.subscriber(4, blocked=True)
    stats = await world.stats.collect()
    assert (stats.subscribers_active, stats.subscribers_paused, stats.subscribers_blocked) == (
        2,
        1,
        1,
    )


async def test_today_means_since_local_midnight_in_the_operators_time_zone(world: World) -> None:
    assert world.stats.day_start() == LOCAL_MIDNIGHT
    await world.article_at(LOCAL_MIDNIGHT - timedelta(minutes=30), 1)  # yesterday evening
    await world.article_at(LOCAL_MIDNIGHT + timedelta(minutes=30), 2)
    await world.article_at(NOW, 3)
    stats = await world.stats.collect()
    assert stats.articles_today == 2


async def test_digests_sent_today_count_only_completed_deliveries(world: World) -> None:
    for chat_id in (1, 2, 3):
        await world.subscriber(chat_id)
    done, _, _ = await world.deliveries.create_many(
        [
            NewDelivery(1, "2026-03-20", ["a"], None, None),
            NewDelivery(2, "2026-03-20", ["a", "b"], None, None),
            NewDelivery(3, "2026-03-20", [], None, None),
        ]
    )
    await world.deliveries.mark_part_sent(done.id, 1)
    stats = await world.stats.collect()
    assert stats.digests_sent_today == 1


async def test_sources_are_split_into_healthy_and_failing_with_the_latest_fetch_times(
    world: World,
) -> None:
    ok = await world.sources.upsert("https://ok.kz/rss", name="OK")
    bad = await world.sources.upsert("https://bad.kz/rss", name="Bad")
    await world.sources.upsert("https://new.kz/rss", name="New")
    world.clock.set(NOW - timedelta(hours=2))
    await world.sources.record_success(ok.id, etag=None, last_modified=None)
    world.clock.set(NOW - timedelta(hours=1))
    await world.sources.record_failure(bad.id, "HTTP 500", retry_at=NOW)
    world.clock.set(NOW)
    stats = await world.stats.collect()
    assert (stats.sources_healthy, stats.sources_failing) == (2, 1)
    assert stats.last_ingest_at == NOW - timedelta(hours=1)
    assert stats.last_success_at == NOW - timedelta(hours=2)
    assert await world.stats.last_successful_ingest() == NOW - timedelta(hours=2)


async def test_the_sources_report_lists_sources_in_trouble_first(world: World) -> None:
    ok = await world.sources.upsert("https://ok.kz/rss", name="OK")
    bad = await world.sources.upsert("https://bad.kz/rss", name="Bad")
    await world.sources.record_success(ok.id, etag=None, last_modified=None)
    await world.sources.record_failure(bad.id, "timeout", retry_at=NOW)
    report = await world.stats.sources_report()
    assert [(r.source.name, r.state) for r in report] == [
        ("Bad", SourceState.FAILING),
        ("OK", SourceState.HEALTHY),
    ]
