"""Delivery through the Sender to the fake Bot API: paced, retried, exactly once, never dropped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo.telegram_client import bot_for, close_session
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from bot.pacing import install_pacing
from bot.telegram import TelegramSender
from services.clock.clocks import ManualClock
from services.delivery.pacer import PacingPolicy
from services.delivery.service import DeliveryPolicy, PassLock
from services.storage import Database
from services.storage.deliveries import NewDelivery
from tests.services.digest_world import World

MORNING = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # 09:00 in Almaty
# Retry logic without the per-chat gap (which the pacer's tests and the 200-chat test cover).
FAST = DeliveryPolicy(send_rate=100, backoff_seconds=0.01)
FAST_PACING = PacingPolicy(
    send_rate=100, private_interval=0.01, group_interval=0.01, backoff_seconds=0.01
)


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    clock.set(MORNING - timedelta(days=2))
    return World(db, clock)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=DEFAULT_TOKEN) as server:
        yield server


@pytest.fixture
async def sender(fake: FakeTelegramServer) -> AsyncIterator[TelegramSender]:
    """The sender as the bot runs it: every call paced (bot/pacing.py), small gaps."""
    bot = bot_for(fake, DEFAULT_TOKEN)
    install_pacing(bot, FAST_PACING)
    try:
        yield TelegramSender(bot)
    finally:
        await close_session(bot.session)


@pytest.fixture
async def bare_sender(fake: FakeTelegramServer) -> AsyncIterator[TelegramSender]:
    """A sender with nothing paced beneath it, which reports every 429 to delivery."""
    bot = bot_for(fake, DEFAULT_TOKEN)
    try:
        yield TelegramSender(bot)
    finally:
        await close_session(bot.session)


async def news(world: World, *queries: str) -> list[int]:
    """One topic per query with a story arriving three hours before MORNING; the topic ids."""
    topic_ids = []
    for number, query in enumerate(queries):
        topic = await world.topic(query)
        topic_ids.append(topic.id)
        await world.publish(
            f"{query}: новости дня номер {number}",
            f"{query} снова в новостях, сообщение {number}. Подробности уточняются.",
            arrived=MORNING - timedelta(hours=3, minutes=number),
        )
    return topic_ids


async def subscribe(world: World, fake: FakeTelegramServer, chat_id: int, *topic_ids: int) -> None:
    kind = "private" if chat_id > 0 else "group"
    fake.register_chat(chat_id, chat_type=kind)
    await world.subscriber(chat_id, chat_type=kind)
    for topic_id in topic_ids:
        await world.subscriptions.subscribe(chat_id, topic_id)


async def test_two_hundred_subscribers_each_get_exactly_one_digest_under_telegrams_limits(
    world: World, db: Database
) -> None:
    rate = 60
    async with FakeTelegramServer(
        token=DEFAULT_TOKEN, global_rate=rate, chat_rate=1, group_rate_per_minute=20
    ) as limited:
        topics = await news(world, "уран", "нефть", "Байконур", "тенге")
        chats = [*range(1, 191), *range(-10, 0)]  # ten of them groups
        for index, chat_id in enumerate(chats):
            await subscribe(world, limited, chat_id, topics[index % 4], topics[(index + 1) % 4])
        world.clock.set(MORNING)
        bot = bot_for(limited, DEFAULT_TOKEN)
        install_pacing(bot, PacingPolicy(send_rate=rate))
        try:
            report = await world.delivery(DeliveryPolicy(send_rate=rate)).run_pass(
                TelegramSender(bot)
            )
        finally:
            await close_session(bot.session)

        assert report.due == report.built == report.completed == 200
        assert limited.rate_limited == 0  # the bot's pacing never ran into Telegram's limits
        for chat_id in chats:
            (message,) = limited.messages(chat_id)
            assert message.text.startswith("Дайджест новостей · 20 марта")
        rows = await db.fetchall("SELECT status, COUNT(*) FROM deliveries GROUP BY status")
        assert [tuple(row) for row in rows] == [("sent", 200)]


async def test_a_chat_that_blocked_the_bot_is_marked_blocked_and_the_rest_still_get_theirs(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    for chat_id in (1, 2, 3):
        await subscribe(world, fake, chat_id, topic)
    fake.block_chat(2)
    world.clock.set(MORNING)

    report = await world.delivery(FAST).run_pass(sender)

    assert report.blocked == 1
    blocked = await world.subscribers.get(2)
    assert blocked is not None and blocked.blocked
    delivery = await world.deliveries.get(2, "2026-03-20")
    assert delivery is not None and delivery.status == "blocked"
    assert [len(fake.messages(chat)) for chat in (1, 3)] == [1, 1]


async def test_a_429_is_waited_out_beneath_the_sender_and_the_part_goes_once(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    fake.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    world.clock.set(MORNING)

    started = asyncio.get_running_loop().time()
    report = await world.delivery(FAST).run_pass(sender)

    assert asyncio.get_running_loop().time() - started >= 1.0
    assert (report.rate_limited, report.completed) == (0, 1)  # the pacer took care of it
    assert len(fake.messages(1)) == 1
    assert fake.rate_limited == 1


async def test_a_429_the_sender_reports_is_waited_out_and_the_same_message_sent_again(
    world: World, fake: FakeTelegramServer, bare_sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    fake.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    world.clock.set(MORNING)

    started = asyncio.get_running_loop().time()
    report = await world.delivery(FAST).run_pass(bare_sender)

    assert asyncio.get_running_loop().time() - started >= 1.0
    assert report.rate_limited == 1
    assert len(fake.messages(1)) == 1
    assert fake.rate_limited == 1


async def test_network_or_server_errors_are_retried_with_backoff(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    fake.fail_next("sendMessage", status=502, description="Bad Gateway", times=2)
    world.clock.set(MORNING)

    report = await world.delivery(FAST).run_pass(sender)

    assert report.transient_errors == 2
    assert report.completed == 1
    assert len(fake.messages(1)) == 1


async def test_a_digest_telegram_keeps_failing_stays_pending_and_the_next_pass_sends_it(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    fake.fail_next("sendMessage", status=500, description="Internal Server Error", times=4)
    world.clock.set(MORNING)
    delivery = world.delivery(FAST)

    first = await delivery.run_pass(sender)
    pending = await world.deliveries.get(1, "2026-03-20")
    too_soon = await delivery.run_pass(sender)
    world.clock.advance(FAST.retry_later)
    later = await delivery.run_pass(sender)

    assert first.left_pending == 1
    assert pending is not None and pending.status == "pending"
    assert pending.next_attempt_at == MORNING + FAST.retry_later
    assert pending.last_error is not None and "Internal Server Error" in pending.last_error
    assert too_soon.resumed == 0
    assert later.resumed == 1 and later.completed == 1
    assert len(fake.messages(1)) == 1
    sent = await world.deliveries.get(1, "2026-03-20")
    assert sent is not None and sent.status == "sent"


async def built(world: World, chat_id: int, parts: list[str], *, sent: int = 0) -> int:
    """A digest recorded as a pass builds it (and, with `sent`, as far as a crashed pass got)."""
    (delivery,) = await world.deliveries.create_many(
        [NewDelivery(chat_id, "2026-03-20", parts, MORNING - timedelta(days=1), MORNING)]
    )
    if sent:
        await world.deliveries.mark_part_sent(delivery.id, sent)
    return delivery.id


async def test_a_part_telegram_cannot_parse_is_sent_again_as_plain_text(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    await subscribe(world, fake, 1)
    await built(world, 1, ["<b>Дайджест</b>", "<blink>Сломанная</blink> часть & <a>ссылка</a>"])
    world.clock.set(MORNING - timedelta(hours=1))  # nobody is due: the pass only resumes

    report = await world.delivery(FAST).run_pass(sender)

    first, second = fake.messages(1)
    assert (first.text, first.parse_mode) == ("Дайджест", "HTML")
    assert (second.text, second.parse_mode) == ("Сломанная часть & ссылка", None)
    assert report.plain_fallbacks == 1
    delivery = await world.deliveries.get(1, "2026-03-20")
    assert delivery is not None and delivery.status == "sent"
    assert delivery.last_error is not None and "plain text" in delivery.last_error


async def test_a_pass_resumes_an_interrupted_digest_at_the_next_unsent_part(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    await subscribe(world, fake, 1)
    await built(world, 1, ["<b>1</b>", "<b>2</b>", "<b>3</b>"], sent=1)
    world.clock.set(MORNING - timedelta(hours=1))

    report = await world.delivery(FAST).run_pass(sender)

    assert [message.text for message in fake.messages(1)] == ["2", "3"]
    assert report.resumed == 1 and report.parts_sent == 2


async def test_a_second_pass_sends_nothing_twice(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    world.clock.set(MORNING)
    delivery = world.delivery(FAST)

    await delivery.run_pass(sender)
    again = await delivery.run_pass(sender, everyone=True)

    assert len(fake.messages(1)) == 1
    assert again.due == again.built == again.parts_sent == 0


async def test_an_empty_digest_sends_nothing(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    await news(world, "уран")
    await subscribe(world, fake, 1, (await world.topic("Байконур")).id)
    world.clock.set(MORNING)

    report = await world.delivery(FAST).run_pass(sender)

    assert (report.built, report.empty, report.parts_sent) == (1, 1, 0)
    assert fake.messages(1) == []


async def test_a_pass_while_another_holds_the_lock_does_nothing(
    world: World, fake: FakeTelegramServer, sender: TelegramSender, tmp_path: Path
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    world.clock.set(MORNING)
    lock = tmp_path / "deliver.lock"

    async with PassLock(lock).hold():
        report = await world.delivery(FAST, lock_path=lock).run_pass(sender)

    assert report.skipped_locked
    assert fake.messages(1) == []
    assert await world.deliveries.get(1, "2026-03-20") is None


async def test_only_one_pass_holds_the_lock_at_a_time(tmp_path: Path) -> None:
    lock_file = tmp_path / "deliver.lock"
    async with PassLock(lock_file).hold() as first, PassLock(lock_file).hold() as second:
        assert (first, second) == (True, False)
    async with PassLock(lock_file).hold() as again:
        assert again is True
