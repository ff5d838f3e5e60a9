"""services/sources/own_alerts.py: a chat hears once when its own source goes down, once when
it is back, and once when a week of failures pauses it; admins never hear of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.clock.clocks import ManualClock
from services.sources.alerts import SourceAlerts
from services.sources.own_alerts import NoticeKind, OwnSourceNotice, OwnSourceNotices
from services.storage import Database, SourceRepository, SubscriberRepository
from services.storage.own_sources import OwnSourceRepository
from tests.services.sources.test_alerts import RecordingSender

START = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)
PASS = timedelta(minutes=30)
ADMIN = 111
READERS = (501, 502)
FEED = "https://blog.example.kz/rss?token=s3cret"


def compose(notice: OwnSourceNotice, language: str) -> str:
    return f"{language}:{notice.kind.value}:{notice.link.source.url}"


class World:
    def __init__(self, db: Database) -> None:
        self.clock = ManualClock(START)
        self.sources = SourceRepository(db, self.clock)
        self.subscribers = SubscriberRepository(db, self.clock)
        self.own = OwnSourceRepository(db, self.clock)
        self.sender = RecordingSender()
        self.alerts = SourceAlerts(
            sources=self.sources,
            subscribers=self.subscribers,
            sender=self.sender,
            admin_ids=(ADMIN,),
            clock=self.clock,
            compose=lambda alert, language: f"admin:{alert.source.url}",
            owners=OwnSourceNotices(
                own=self.own,
                subscribers=self.subscribers,
                sender=self.sender,
                clock=self.clock,
                compose=compose,
            ),
            private_sources=self.own.private_source_ids,
        )

    async def follow(self) -> int:
        for chat in READERS:
            await self.subscribers.register(
                chat, chat_type="private", language="en", timezone="UTC", digest_time="09:00"
            )
            link, _ = await self.own.add(chat, FEED, name="Blog", language="ru")
        return link.source.id

    async def ingest_pass(self, source_id: int, *, ok: bool) -> None:
        self.clock.advance(PASS)
        source = await self.sources.get(source_id)
        assert source is not None
        if source.enabled:
            if ok:
                await self.sources.record_success(source_id, etag=None, last_modified=None)
            else:
                await self.sources.record_failure(source_id, "HTTP 404", retry_at=self.clock.now())
        await self.alerts.check()

    def told(self) -> list[tuple[int, str]]:
        return [(chat, text.split(":")[1]) for chat, text in self.sender.sent]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "own.db")
    yield World(db)
    await db.close()


async def test_each_follower_is_told_once_when_down_and_once_when_back(world: World) -> None:
    source_id = await world.follow()
    await world.ingest_pass(source_id, ok=True)
    for _ in range(3 * 48):  # three days of failures
        await world.ingest_pass(source_id, ok=False)
    assert world.told() == [(501, "down"), (502, "down")]
    await world.ingest_pass(source_id, ok=True)
    await world.ingest_pass(source_id, ok=True)
    assert world.told() == [(501, "down"), (502, "down"), (501, "recovered"), (502, "recovered")]
    assert all(chat != ADMIN for chat, _ in world.sender.sent)


async def test_a_week_of_failures_pauses_the_source_and_adding_it_again_retries(
    world: World,
) -> None:
    source_id = await world.follow()
    await world.ingest_pass(source_id, ok=True)
    for _ in range(8 * 48):
        await world.ingest_pass(source_id, ok=False)
    assert world.told() == [(501, "down"), (502, "down"), (501, "paused"), (502, "paused")]
    source = await world.sources.get(source_id)
    assert source is not None and not source.enabled
    await world.own.add(READERS[0], FEED, name="Blog", language="ru")
    source = await world.sources.get(source_id)
    assert source is not None and source.enabled and source.next_fetch_at is None
    await world.ingest_pass(source_id, ok=True)
    kinds = [kind for chat, kind in world.told() if chat == READERS[0]]
    assert kinds == ["down", "paused", "recovered"]


async def test_a_source_the_operator_lists_too_is_never_paused_for_its_followers(
    world: World,
) -> None:
    source_id = await world.follow()
    await world.own.set_shared(source_id, True)
    await world.ingest_pass(source_id, ok=True)
    for _ in range(8 * 48):
        await world.ingest_pass(source_id, ok=False)
    source = await world.sources.get(source_id)
    assert source is not None and source.enabled
    assert NoticeKind.PAUSED.value not in {kind for _, kind in world.told()}
    assert (ADMIN, "admin") in [(c, t.split(":")[0]) for c, t in world.sender.sent]
