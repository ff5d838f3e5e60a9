"""services/sources/alerts.py: one message when a source goes down, one when it recovers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.clock.clocks import ManualClock
from services.delivery.sender import SendOutcome, SendResult
from services.sources.alerts import AlertKind, SourceAlert, SourceAlerts
from services.storage import Database, SourceRepository, SubscriberRepository
from services.storage.models import Source

START = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)
PASS = timedelta(minutes=30)
ADMINS = (111, 222)


class RecordingSender:
    """The Sender port, answering with a scripted outcome and keeping what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.outcome = SendOutcome.SENT

    async def send_message(self, chat_id: int, text: str, *, html: bool = True) -> SendResult:
        if self.outcome is SendOutcome.SENT:
            self.sent.append((chat_id, text))
        return SendResult(self.outcome)


def compose(alert: SourceAlert, language: str) -> str:
    return f"{language}:{alert.kind.value}:{alert.source.name}:{alert.since.isoformat()}"


class World:
    def __init__(self, db: Database) -> None:
        self.clock = ManualClock(START)
        self.sources = SourceRepository(db, self.clock)
        self.subscribers = SubscriberRepository(db, self.clock)
        self.sender = RecordingSender()
        self.alerts = SourceAlerts(
            sources=self.sources,
            subscribers=self.subscribers,
            sender=self.sender,
            admin_ids=ADMINS,
            clock=self.clock,
            compose=compose,
        )

    async def ingest_pass(self, source: Source, *, ok: bool) -> list[SourceAlert]:
        """What the ingest job does to this source's record, then the alert check after it."""
        self.clock.advance(PASS)
        if ok:
            await self.sources.record_success(source.id, etag=None, last_modified=None)
        else:
            await self.sources.record_failure(source.id, "HTTP 503", retry_at=self.clock.now())
        return await self.alerts.check()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "alerts.db")
    yield World(db)
    await db.close()


async def test_a_day_of_failures_alerts_each_admin_once_then_recovery_once(world: World) -> None:
    source = await world.sources.upsert("https://tengrinews.kz/rss", name="Tengri")
    assert await world.ingest_pass(source, ok=True) == []
    last_ok = world.clock.now()
    alerts: list[SourceAlert] = []
    for _ in range(4 * 48):  # four days of failing passes
        alerts += await world.ingest_pass(source, ok=False)
    assert [a.kind for a in alerts] == [AlertKind.DOWN]
    assert alerts[0].since == last_ok
    assert alerts[0].at - last_ok > timedelta(hours=24)
    assert alerts[0].at - last_ok <= timedelta(hours=24) + PASS
    assert [chat for chat, _ in world.sender.sent] == list(ADMINS)

    recovered = await world.ingest_pass(source, ok=True)
    recovered += await world.ingest_pass(source, ok=True)
    assert [a.kind for a in recovered] == [AlertKind.RECOVERED]
    assert len(world.sender.sent) == 4
    assert (await world.sources.get(source.id)).failure_alerted_at is None  # type: ignore[union-attr]


async def test_failures_shorter_than_a_day_say_nothing(world: World) -> None:
    source = await world.sources.upsert("https://kz.kz/rss", name="KZ")
    await world.ingest_pass(source, ok=True)
    for _ in range(47):
        await world.ingest_pass(source, ok=False)
    await world.ingest_pass(source, ok=True)
    assert world.sender.sent == []


async def test_a_flapping_source_waits_another_full_day_before_a_second_alert(world: World) -> None:
    source = await world.sources.upsert("https://flappy.kz/rss", name="Flappy")
    for _ in range(50):
        await world.ingest_pass(source, ok=False)
    await world.ingest_pass(source, ok=True)
    assert len(world.sender.sent) == 4  # down + recovered, to two admins
    for _ in range(40):
        await world.ingest_pass(source, ok=False)
    assert len(world.sender.sent) == 4


async def test_each_admin_is_written_to_in_their_own_language(world: World) -> None:
    await world.subscribers.register(
        222, chat_type="private", language="kk", timezone="Asia/Almaty", digest_time="09:00"
    )
    source = await world.sources.upsert("https://kaz.kz/rss", name="Kaz")
    for _ in range(50):
        await world.ingest_pass(source, ok=False)
    assert [(chat, text.split(":")[0]) for chat, text in world.sender.sent] == [
        (111, "ru"),
        (222, "kk"),
    ]


async def test_an_alert_that_could_not_be_sent_for_a_transient_reason_is_tried_next_pass(
    world: World,
) -> None:
    source = await world.sources.upsert("https://slow.kz/rss", name="Slow")
    for _ in range(48):
        await world.ingest_pass(source, ok=False)
    world.sender.outcome = SendOutcome.TRANSIENT
    assert await world.ingest_pass(source, ok=False) == []
    world.sender.outcome = SendOutcome.SENT
    assert [a.kind for a in await world.ingest_pass(source, ok=False)] == [AlertKind.DOWN]


async def test_admins_who_never_opened_the_bot_do_not_make_the_alert_repeat(world: World) -> None:
    source = await world.sources.upsert("https://gone.kz/rss", name="Gone")
    world.sender.outcome = SendOutcome.BAD_REQUEST
    alerts = []
    for _ in range(60):
        alerts += await world.ingest_pass(source, ok=False)
    assert [a.kind for a in alerts] == [AlertKind.DOWN]


async def test_without_admins_nothing_is_sent_or_recorded(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "none.db")
    world = World(db)
    world.alerts = SourceAlerts(
        sources=world.sources,
        subscribers=world.subscribers,
        sender=world.sender,
        admin_ids=(),
        clock=world.clock,
        compose=compose,
    )
    source = await world.sources.upsert("https://x.kz/rss", name="X")
    for _ in range(60):
        await world.ingest_pass(source, ok=False)
    assert world.sender.sent == []
    assert (await world.sources.get(source.id)).failure_alerted_at is None  # type: ignore[union-attr]
    await db.close()
