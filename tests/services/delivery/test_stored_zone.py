"""A subscriber row whose time zone zoneinfo cannot open still gets its digest, on UTC time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.demo.telegram_client import bot_for, close_session
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from bot.telegram import TelegramSender
from services.clock.clocks import ManualClock
from services.delivery.service import DeliveryPolicy
from services.storage import Database
from tests.services.digest_world import World

NINE_UTC = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
FAST = DeliveryPolicy(send_rate=100, backoff_seconds=0.01)


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    clock.set(NINE_UTC - timedelta(days=2))
    return World(db, clock)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=DEFAULT_TOKEN) as server:
        yield server


async def test_a_bogus_stored_zone_is_delivered_at_its_digest_time_in_utc(
    world: World, fake: FakeTelegramServer
) -> None:
    topic = await world.topic("уран")
    await world.publish(
        "Уран: новости дня",
        "Уран снова в новостях. Подробности уточняются.",
        arrived=NINE_UTC - timedelta(hours=3),
    )
    fake.register_chat(41, chat_type="private")
    await world.subscriber(41, topic)
    await world.subscribers.update(41, timezone="Mars/Olympus")
    bot = bot_for(fake, DEFAULT_TOKEN)
    sender = TelegramSender(bot)
    try:
        world.clock.set(NINE_UTC - timedelta(minutes=1))
        early = await world.delivery(FAST).run_pass(sender)
        world.clock.set(NINE_UTC)
        due = await world.delivery(FAST).run_pass(sender)
    finally:
        await close_session(bot.session)

    assert early.due == 0
    assert due.due == due.completed == 1
    (message,) = fake.messages(41)
    assert message.text.startswith("Дайджест новостей · 20 марта")
    delivery = await world.deliveries.get(41, "2026-03-20")
    assert delivery is not None and delivery.status == "sent"
